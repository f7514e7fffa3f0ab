/**
 * Stopping a stack waits for parse-server's PostgreSQL pool to close before PostgreSQL stops
 * (scripts/dev/database-pool.ts): parse-server's own shutdown does not wait, and a connection
 * PostgreSQL terminates afterwards was an uncaught error that failed a CI run after every test
 * had passed. This proves the pool is still where the stack looks for it in this parse-server.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { harness } from '../harness/env';
import { scriptCommand } from '../helpers/node-script';

const run = promisify(execFile);

test('the stack finds parse-server PostgreSQL pool and waits until its busy connection closes', async () => {
  const uri = harness().databaseUri;
  if (!uri.startsWith('postgres')) return; // TEST_DB=mongo: no pg pool to wait for
  const [command, args] = scriptCommand('test/helpers/database-pool-child.ts', [uri]);
  const { stdout } = await run(command, args, { timeout: 60_000 });
  const result = JSON.parse(stdout.trim().split('\n').pop()!) as {
    found: boolean;
    before?: number;
    after?: number;
    waitedMs?: number;
  };
  expect(result.found).toBe(true);
  expect(result.before).toBeGreaterThanOrEqual(1);
  expect(result.after).toBe(0);
  // The busy query (pg_sleep 0.3 s, started 50 ms before) was waited for, not cut off.
  expect(result.waitedMs).toBeGreaterThanOrEqual(150);
});
