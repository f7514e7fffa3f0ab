/**
 * A second, private stack for tests that need other settings than the shared one (another
 * ENCRYPTION_KEY list, loosened CLPs): the bundle the harness built, its own embedded PostgreSQL
 * in `dataDir` (kept between runs, so a test can restart it with other keys), in a child process -
 * parse-server cannot start inside Jest's VM (platform-facts.md), and cloud/config.ts caches the
 * configuration per bundle load, so a fresh process is the clean way to change keys.
 *
 * As a script (tsx): prints {"url": ...} once healthy, stops when stdin closes or on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { bindHttp, startEmbeddedPostgres, startStack } from '../../scripts/dev/stack';
import { ROOT, scriptCommand } from '../helpers/node-script';

export interface ChildStack {
  url: string;
  stop(): Promise<void>;
}

/** Starts the child; `env` overrides the worker's environment (e.g. ENCRYPTION_KEY). */
export async function startChildStack(
  dataDir: string,
  env: Record<string, string>,
): Promise<ChildStack> {
  const [command, args] = scriptCommand('test/integration/storage-child-stack.ts', [dataDir]);
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: 'silent' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => {
      // Never leave it running (with its PostgreSQL) past the test that gave up on it.
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      reject(new Error(`child stack timeout\n${stderr}`));
    }, 60_000);
    lines.on('line', (line) => {
      if (!line.startsWith('{"url"')) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child stack exited with ${code}\n${stderr}`));
    });
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const dataDir = argv[0];
  const distDir = process.env.TEST_DIST_DIR;
  if (!dataDir || !distDir)
    throw new Error('usage: storage-child-stack.ts <dataDir> (TEST_DIST_DIR set)');
  const pg = await startEmbeddedPostgres(dataDir, { throwaway: true });
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
  process.stdin.on('end', () => void stop());
  process.stdin.resume();
  process.on('SIGTERM', () => void stop());
  for (let i = 0; i < 200; i++) {
    const res = await fetch(`${stack.url}/health`).catch(() => undefined);
    if (res?.status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  process.stdout.write(`${JSON.stringify({ url: stack.url })}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  });
}
