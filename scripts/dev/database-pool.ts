/**
 * parse-server's PostgreSQL adapter ends its connection pool without waiting for it
 * (PostgresStorageAdapter.handleShutdown calls `$pool.end()` and returns). Stopping PostgreSQL
 * right after terminates the connections still open ("terminating connection due to
 * administrator command", 57P01), and pg-pool re-emits that on the pool: with no listener, an
 * uncaught 'error' that ends the process - seen once at the end of a CI run.
 */

/** The part of pg-pool's Pool used here. */
export type Pool = {
  on(event: 'error', listener: (err: Error) => void): unknown;
  readonly totalCount: number;
};

/** The pg pool behind a parse-server instance on PostgreSQL, or undefined (MongoDB, not started). */
export function databasePool(server: { config?: unknown }): Pool | undefined {
  // parse-server's internals, not typed: config.databaseController.adapter._client (pg-promise)
  // .$pool (pg-pool). Each step is checked; anything else means "no pool to wait for".
  const config = server.config as
    { databaseController?: { adapter?: { _client?: { $pool?: unknown } } } } | undefined;
  const pool = config?.databaseController?.adapter?._client?.$pool as Partial<Pool> | undefined;
  if (!pool || typeof pool.on !== 'function' || typeof pool.totalCount !== 'number')
    return undefined;
  return pool as Pool;
}

/** Resolves once every connection of the pool has closed, or after `timeoutMs`. */
export async function poolClosed(pool: Pool, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pool.totalCount > 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20));
}
