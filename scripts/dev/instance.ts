/**
 * One more server process on an existing database (benchmarks; tests use
 * test/helpers/child-stack.ts): reads the same environment as the harness (DATABASE_URI, secrets,
 * Airtable URLs), boots the stack with the already-built bundle in INSTANCE_DIST_DIR, prints
 * "READY <url>" and runs until SIGTERM.
 *
 * Its port: with LISTEN_HANDOVER=1, a socket the parent bound and sends over IPC (scripts/dev/ports.ts:
 * the parent knows the port first, and nobody can take it meanwhile); otherwise PORT (0: any).
 *
 * Benchmarks only: with BENCH_MEMORY_PROBE=1 and node's --expose-gc, SIGUSR2 runs a full garbage
 * collection and prints `MEMORY {"rss":...,"heapUsed":...}` (bytes) - the memory the process
 * really holds, without the garbage a collection would free anyway.
 */
import { bindHttp } from './listener';
import { receiveListener } from './ports';
import { startStack } from './stack';

export async function main(): Promise<void> {
  const need = (k: string): string => {
    const v = process.env[k];
    if (!v) throw new Error(`${k} is required`);
    return v;
  };
  const server =
    process.env.LISTEN_HANDOVER === '1'
      ? await bindHttp(await receiveListener())
      : await bindHttp(Number(need('PORT')));
  process.env.PORT = String(server.port);
  const stack = await startStack({
    server,
    databaseUri: need('DATABASE_URI'),
    distDir: need('INSTANCE_DIST_DIR'),
    appId: need('PARSE_APP_ID'),
    masterKey: need('PARSE_MASTER_KEY'),
    restApiKey: need('PARSE_REST_API_KEY'),
    javascriptKey: process.env.PARSE_JAVASCRIPT_KEY ?? need('PARSE_REST_API_KEY'),
    silent: true,
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
  const stop = () => void stack.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (require.main === module)
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
