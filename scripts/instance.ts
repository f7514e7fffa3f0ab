/**
 * One more server process on an existing database (multi-instance tests and benchmarks): reads the
 * same environment as the harness (DATABASE_URI, PORT, secrets, Airtable URLs), boots the stack
 * with the already-built bundle in INSTANCE_DIST_DIR, prints "READY <url>" and runs until SIGTERM.
 *
 * Benchmarks only: with BENCH_MEMORY_PROBE=1 and node's --expose-gc, SIGUSR2 runs a full garbage
 * collection and prints `MEMORY {"rss":...,"heapUsed":...}` (bytes) - the memory the process
 * really holds, without the garbage a collection would free anyway.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStack } from './stack';

async function main(): Promise<void> {
  const need = (k: string): string => {
    const v = process.env[k];
    if (!v) throw new Error(`${k} is required`);
    return v;
  };
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'airtable-mcp-instance-'));
  const stack = await startStack({
    port: Number(need('PORT')),
    databaseUri: need('DATABASE_URI'),
    dataDir,
    distDir: need('INSTANCE_DIST_DIR'),
    appId: need('PARSE_APP_ID'),
    masterKey: need('PARSE_MASTER_KEY'),
    restApiKey: need('PARSE_REST_API_KEY'),
    javascriptKey: process.env.PARSE_JAVASCRIPT_KEY ?? need('PARSE_REST_API_KEY'),
    silent: true,
    // Back4App's parse-server options (tests: the locks must hold without ours).
    enableAnonymousUsers: process.env.INSTANCE_ANONYMOUS_USERS === '1',
  });
  const gc = (globalThis as { gc?: () => void }).gc;
  if (process.env.BENCH_MEMORY_PROBE === '1' && gc)
    process.on('SIGUSR2', () => {
      gc();
      gc();
      const m = process.memoryUsage();
      console.log(
        `MEMORY ${JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers })}`,
      );
    });
  console.log(`READY ${stack.url}`);
  // The folder holds only parse-server's logs: nothing to keep once the instance is gone.
  const stop = () =>
    void stack.stop().then(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
