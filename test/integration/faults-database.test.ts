/**
 * The database stops under load and comes back. Meanwhile /mcp answers 503 with a JSON-RPC error
 * (and Retry-After), the other routes a 503 JSON error - never a 500, never a hang - and once the
 * database is back the same server process (no restart) serves the same sessions again. Tokens
 * survive encrypted. Runs on a private stack (its own embedded PostgreSQL, in a child process):
 * the harness's database is shared by every test file and must never be stopped.
 */
import { harness } from '../harness/env';
import { sessionFromPat, userWithPat } from '../helpers/airtable';
import { startChildStack, type ChildStack } from '../helpers/child-stack';
import {
  expectTokensSafeAtRest,
  load,
  mcpRaw,
  toolCall,
  toolResult,
  toolsList,
  userTokenRows,
  waitFor,
  type Outcome,
} from './faults-support';
import { removeTempDir, tempDir } from '../helpers/temp-dir';

const h = harness();
let stack: ChildStack;
let dataDir: string;

// Longer than startChildStack's own 90 s start-up bound, so that on a slow start the helper
// gives up first and stops the child (and its PostgreSQL) instead of Jest abandoning it.
beforeAll(async () => {
  dataDir = tempDir('faults-db');
  stack = await startChildStack({ dataDir });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  removeTempDir(dataDir);
});

function signIn(pat: string): Promise<string> {
  return sessionFromPat(pat, 'claude', stack.url);
}

/** A plain request with a client timeout; status 0 = no answer in time. */
async function call(pathname: string, init: RequestInit = {}): Promise<Outcome> {
  const started = Date.now();
  try {
    const res = await fetch(`${stack.url}${pathname}`, {
      ...init,
      signal: AbortSignal.timeout(15_000),
    });
    return {
      status: res.status,
      ms: Date.now() - started,
      body: await res.text(),
      headers: res.headers,
    };
  } catch (err) {
    return { status: 0, ms: Date.now() - started, body: String(err), headers: undefined };
  }
}

/** What every route answers while the database is down. */
async function whileDown(sessions: string[], pat: string): Promise<void> {
  await waitFor(
    '/mcp to answer 503',
    async () => (await mcpRaw(stack.url, sessions[0]!, toolsList())).status === 503,
    15_000,
  );
  const down = await mcpRaw(stack.url, sessions[0]!, toolCall('whoami'));
  expect(down.status).toBe(503);
  expect(down.headers?.get('retry-after')).toBeTruthy();
  const rpc = JSON.parse(down.body) as {
    jsonrpc: string;
    error: { code: number; message: string };
  };
  expect(rpc.jsonrpc).toBe('2.0');
  expect(rpc.error.message).toMatch(/database/i);

  // The other routes: a 503 JSON error, no stack trace.
  const others = await Promise.all([
    call('/api/auth/session', { headers: { Authorization: `Bearer ${sessions[0]}` } }),
    call('/api/auth/direct', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ api_key: pat }),
    }),
    call('/auth/logout', { method: 'POST', headers: { Authorization: `Bearer ${sessions[1]}` } }),
    call('/auth/authorize?platform=claude', { redirect: 'manual' }),
    call('/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token&refresh_token=abcdefabcdefabcdefabcdef&client_id=abcdefghijklmnopqrstuv',
    }),
    call('/register', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        client_name: 'fault test',
        redirect_uris: ['https://client.example/callback'],
        token_endpoint_auth_method: 'none',
      }),
    }),
    call('/health'),
  ]);
  for (const o of others) {
    expect([o.status, o.body.slice(0, 300)]).toEqual([503, expect.any(String)]);
    expect(o.body).not.toMatch(/\n\s+at |Error:|ECONNREFUSED|postgres/i);
  }
}

it('answers 503 while the database is down and recovers without a restart', async () => {
  const users = await Promise.all([userWithPat(), userWithPat()]);
  const sessions = await Promise.all(users.map((u) => signIn(u.pat)));
  for (const s of sessions)
    expect(toolResult(await mcpRaw(stack.url, s, toolCall('whoami'))).isError).toBeFalsy();

  // Under load: tools/list (database only) and whoami (database + Airtable) from both users.
  const traffic = load(6, (i) =>
    mcpRaw(stack.url, sessions[i % 2]!, i < 4 ? toolsList() : toolCall('whoami')),
  );
  try {
    await new Promise((r) => setTimeout(r, 300));
    await stack.command('pg-stop');
    await whileDown(sessions, users[0]!.pat);
    await new Promise((r) => setTimeout(r, 1000)); // a while down under load
    await stack.command('pg-start');
    const recoveryMs = await waitFor(
      '/mcp to recover',
      async () => (await mcpRaw(stack.url, sessions[0]!, toolsList())).status === 200,
      30_000,
    );
    expect(recoveryMs).toBeLessThan(30_000);
  } finally {
    await traffic.stop();
  }
  const all = traffic.outcomes;

  // Same process, same sessions: both users work again (logout above was refused, not applied).
  for (const s of sessions)
    expect(toolResult(await mcpRaw(stack.url, s, toolCall('whoami'))).isError).toBeFalsy();
  const statuses = new Map<number, number>();
  for (const o of all) statuses.set(o.status, (statuses.get(o.status) ?? 0) + 1);
  // Every answer under load was a success or a clean 503: no 500, no hang (status 0).
  expect([...statuses.keys()].filter((s) => s !== 200 && s !== 503)).toEqual([]);
  expect(statuses.get(503) ?? 0).toBeGreaterThan(0);
  for (const o of all.filter((x) => x.status === 503))
    expect(() => JSON.parse(o.body) as unknown).not.toThrow();

  const rows = await userTokenRows(stack.url, h.appId, h.masterKey);
  expect(rows).toHaveLength(2);
  expectTokensSafeAtRest(
    rows,
    h.encryptionKey,
    users.map((u) => u.pat),
  );
});
