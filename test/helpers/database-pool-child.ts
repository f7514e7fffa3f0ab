/**
 * Child of database-pool.test.ts (parse-server does not run inside Jest's VM): a parse-server on
 * the given PostgreSQL URI with one idle and one busy pool connection, shut down the way
 * scripts/dev/stack.ts does. Prints {"found", "before", "after", "waitedMs"} as JSON.
 */
import { databasePool, poolClosed } from '../../scripts/dev/database-pool';
import { loadParseServer } from '../../scripts/dev/stack';

export async function main(argv: string[]): Promise<number> {
  const uri = argv[0];
  if (!uri) throw new Error('usage: database-pool-child <postgres uri>');
  const ParseServer = await loadParseServer();
  const server = new ParseServer({
    appId: 'pool-check',
    masterKey: 'pool-check-master-key',
    databaseURI: uri,
    serverURL: 'http://localhost:1/parse',
  } as ConstructorParameters<typeof ParseServer>[0]) as unknown as {
    config?: unknown;
    handleShutdown(): Promise<void>;
    server?: { close(cb: () => void): void };
  };
  // handleShutdown closes the HTTP server parse-server was started with; this one has none.
  server.server = { close: (cb) => cb() };
  const pool = databasePool(server);
  if (!pool) {
    console.log(JSON.stringify({ found: false }));
    return 0;
  }
  const client = (server.config as { databaseController: { adapter: { _client: Db } } })
    .databaseController.adapter._client;
  await client.any('SELECT 1');
  const busy = client.any('SELECT pg_sleep(0.3)');
  await new Promise((r) => setTimeout(r, 50));
  const before = pool.totalCount;
  pool.on('error', () => {});
  const started = Date.now();
  await server.handleShutdown();
  await poolClosed(pool, 5_000);
  const waitedMs = Date.now() - started;
  await busy;
  console.log(JSON.stringify({ found: true, before, after: pool.totalCount, waitedMs }));
  return 0;
}

/** pg-promise's database object, as far as used here. */
type Db = { any(query: string): Promise<unknown[]> };
