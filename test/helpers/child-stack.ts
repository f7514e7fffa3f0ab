/**
 * Another server stack in a child process - parse-server cannot start inside Jest's VM
 * (platform-facts.md), and cloud/config.ts caches the configuration per bundle load, so a fresh
 * process is the clean way to run the bundle with other settings. Two kinds:
 *
 * - one more instance on the harness's database (no `dataDir`): same secrets, same Airtable fake
 *   and same public URL as the harness unless `env` says otherwise (multi-instance, faults, a
 *   second rate-limit budget);
 * - a private stack (`dataDir`): its own throwaway embedded PostgreSQL in that folder, which the
 *   test may stop and start (`command('pg-stop' | 'pg-start')`) - the harness's database is shared
 *   by every test file and must never be stopped - and kept between starts, so a test can restart
 *   it with other keys. Its public URL is its own address.
 *
 * The port is bound here and the listening socket handed to the child (scripts/dev/ports.ts), so
 * the parent knows it before the child runs and nobody can take it meanwhile; a test that needs
 * the port first (a redirect URI registered with a fake) reserves it with reservePort() and passes
 * it as `port`. node itself runs the child (scripts/run.cjs): one process, so SIGKILL really kills
 * the server. Stop every stack in afterAll.
 *
 * As a script (the child, main()): prints {"url": ...} once /health answers 200, then obeys one
 * command per stdin line - "pg-stop", "pg-start" - answering {"done": "<command>"} (or
 * {"failed": ...}); stops when stdin closes or on SIGTERM / SIGINT.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { handOver, receiveListener, reservePort, type ReservedPort } from '../../scripts/dev/ports';
import { bindHttp, startEmbeddedPostgres, startStack } from '../../scripts/dev/stack';
import { harness } from '../harness/env';
import { ROOT, scriptCommand } from './node-script';

export { reservePort, type ReservedPort } from '../../scripts/dev/ports';

export interface ChildStackOptions {
  /** A private stack with its own PostgreSQL in this folder; absent: the harness's database. */
  dataDir?: string;
  /** Overrides the worker's environment (ENCRYPTION_KEY, a private fake's AIRTABLE_*...). */
  env?: Record<string, string>;
  /** A port from reservePort(); by default one is reserved here. */
  port?: ReservedPort;
}

export interface ChildStack {
  url: string;
  port: number;
  pid: number;
  /** Private stacks: stops or starts their PostgreSQL and waits for the child's answer. */
  command(name: 'pg-stop' | 'pg-start'): Promise<void>;
  /** A clean stop (stdin closed, SIGTERM), SIGKILL after 15 s. */
  stop(): Promise<void>;
  /** SIGKILL: the server dies mid-whatever (fault tests). Instances only: a private stack's
   * PostgreSQL would be left running. */
  kill(): Promise<void>;
}

export async function startChildStack(options: ChildStackOptions = {}): Promise<ChildStack> {
  const { dataDir, env = {} } = options;
  const reserved = options.port ?? (await reservePort());
  const port = reserved.port;
  const h = harness();
  const [command, args] = scriptCommand('test/helpers/child-stack.ts', dataDir ? [dataDir] : []);
  const child = spawn(command, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      ...(dataDir
        ? { PUBLIC_URL: `http://localhost:${port}` }
        : {
            DATABASE_URI: h.databaseUri,
            // Same public identity as the main instance, so sessions and OAuth resources match.
            PUBLIC_URL: h.baseUrl,
            MCP_ALLOWED_HOSTS: `localhost:${port},127.0.0.1:${port}`,
          }),
      LOG_LEVEL: 'silent',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;

  const waiting: ((line: Record<string, unknown>) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (!line.startsWith('{')) return;
    try {
      waiting.shift()?.(JSON.parse(line) as Record<string, unknown>);
    } catch {
      /* not ours */
    }
  });
  const next = (timeoutMs: number) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const onExit = () => {
        clearTimeout(timer);
        reject(
          new Error(`child stack exited with ${child.exitCode ?? child.signalCode}\n${stderr}`),
        );
      };
      const timer = setTimeout(() => {
        child.removeListener('exit', onExit);
        waiting.splice(waiting.indexOf(onLine), 1);
        reject(new Error(`child stack: no answer within ${timeoutMs} ms\n${stderr}`));
      }, timeoutMs);
      const onLine = (msg: Record<string, unknown>) => {
        clearTimeout(timer);
        child.removeListener('exit', onExit);
        resolve(msg);
      };
      waiting.push(onLine);
      child.once('exit', onExit);
    });

  const stop = async () => {
    if (!alive()) return;
    child.stdin!.end();
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };

  let first: Record<string, unknown>;
  try {
    const ready = next(90_000);
    ready.catch(() => {}); // awaited below; handOver may fail first
    await handOver(child, reserved);
    first = await ready;
  } catch (err) {
    // Never leave it running (with its PostgreSQL) past the test that gave up on it.
    await stop();
    reserved.server.close();
    throw err;
  }
  return {
    url: String(first.url),
    port,
    pid: child.pid!,
    async command(name) {
      const answer = next(30_000);
      child.stdin!.write(`${name}\n`);
      const msg = await answer;
      if (msg.done !== name) throw new Error(`child stack: ${name} failed: ${JSON.stringify(msg)}`);
    },
    stop,
    async kill() {
      if (dataDir) throw new Error("kill() would leave a private stack's PostgreSQL running");
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** The child: `child-stack.ts [dataDir]`, with the listening socket sent over IPC. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const dataDir = argv[0];
  const need = (k: string): string => {
    const v = process.env[k];
    if (!v) throw new Error(`${k} is required (child-stack.ts is started by startChildStack)`);
    return v;
  };
  const distDir = need('TEST_DIST_DIR');
  const server = await bindHttp(await receiveListener());
  process.env.PORT = String(server.port);
  // Throwaway data (no fsync: much faster on a busy machine); it survives stop/start in the test.
  const startTestPostgres = (dir: string, port?: number) =>
    startEmbeddedPostgres(dir, { port, throwaway: true });
  let pg = dataDir ? await startTestPostgres(dataDir) : undefined;
  const pgPort = pg?.port; // pg-start reuses it: parse-server keeps this URI
  if (dataDir) delete process.env.PARSE_SERVER_URL; // the worker's points at the shared stack
  const stack = await startStack({
    server,
    databaseUri: pg?.uri ?? need('DATABASE_URI'),
    dataDir,
    distDir,
    appId: process.env.PARSE_APP_ID ?? 'test-app',
    masterKey: process.env.PARSE_MASTER_KEY ?? 'master',
    restApiKey: process.env.PARSE_REST_API_KEY ?? 'rest',
    javascriptKey: process.env.PARSE_JAVASCRIPT_KEY ?? 'js',
    silent: true,
    // Back4App's parse-server options (tests: the locks must hold without ours).
    enableAnonymousUsers: process.env.INSTANCE_ANONYMOUS_USERS === '1',
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await stack.stop().catch(() => {});
    await pg?.stop().catch(() => {});
    process.exit(0);
  };
  const say = (msg: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(msg)}\n`);
  const commands = createInterface({ input: process.stdin });
  commands.on('line', (line) => {
    const name = line.trim();
    const run =
      !dataDir || !pg
        ? undefined
        : name === 'pg-stop'
          ? () => pg!.stop()
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
  process.on('SIGINT', () => void stop());
  for (let i = 0; i < 200; i++) {
    const res = await fetch(`${stack.url}/health`).catch(() => undefined);
    if (res?.status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  say({ url: stack.url });
}
