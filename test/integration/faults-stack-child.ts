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
import { createInterface } from 'node:readline';
import { bindHttp, startEmbeddedPostgres, startStack } from '../../scripts/dev/stack';
import { ROOT, scriptCommand } from '../helpers/node-script';

/** Throwaway data (no fsync: much faster on a busy machine); it survives stop/start in the test. */
const startTestPostgres = (dataDir: string, port?: number) =>
  startEmbeddedPostgres(dataDir, { port, throwaway: true });

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
  const [command, args] = scriptCommand('test/integration/faults-stack-child.ts', [dataDir]);
  const child = spawn(command, args, {
    cwd: ROOT,
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
  const first = await next(90_000).catch((err: unknown) => {
    // Never leave it running (with its PostgreSQL) past the test that gave up on it.
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    throw err;
  });
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

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const dataDir = argv[0];
  const distDir = process.env.TEST_DIST_DIR;
  if (!dataDir || !distDir)
    throw new Error('usage: faults-stack-child.ts <dataDir> (TEST_DIST_DIR set)');
  let pg = await startTestPostgres(dataDir);
  const pgPort = pg.port; // pg-start reuses it: parse-server keeps this URI
  const server = await bindHttp(0);
  const port = server.port;
  Object.assign(process.env, { PORT: String(port), PUBLIC_URL: `http://localhost:${port}` });
  delete process.env.PARSE_SERVER_URL; // the worker's points at the shared stack
  const stack = await startStack({
    server,
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
