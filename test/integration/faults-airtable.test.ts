/**
 * Airtable misbehaving: 5xx, answers slower than the client timeout, 429 for a long time, and a
 * failing token endpoint during a refresh. Every tool call must come back as a clear isError
 * result within a bounded time (no hang, no 500), the stored tokens must stay usable, and the
 * server must work again as soon as Airtable does. Runs against a private fake (faults here must
 * not touch other test files) and a server process with short timeouts.
 */
import { TestBrowser } from '../helpers/browser';
import { productEnv, startFakeAirtable, type FakeAirtable } from '../../fake-airtable/server';
import { reservePort, startChildStack, type ChildStack } from '../helpers/child-stack';
import { harness, parseRest } from '../harness/env';
import { sessionFromPat, uniqueUserId } from '../helpers/airtable';
import {
  expectTokensSafeAtRest,
  mcpRaw,
  toolCall,
  toolResult,
  userTokenRows,
} from './faults-support';
import { expireStoredAccessToken } from '../helpers/stored-token';

const h = harness();
const master = { 'X-Parse-Master-Key': h.masterKey };
const TIMEOUT_MS = 500;
const RATE_BUDGET_MS = 2500;
let fake: FakeAirtable;
let server: ChildStack;

beforeAll(async () => {
  fake = await startFakeAirtable({ port: 0 });
  const reserved = await reservePort();
  const port = reserved.port;
  fake.admin.registerRedirectUri({ uri: `http://localhost:${port}/auth/callback` });
  server = await startChildStack({
    env: {
      PUBLIC_URL: `http://localhost:${port}`,
      ...productEnv(fake),
      AIRTABLE_TIMEOUT_MS: String(TIMEOUT_MS),
      AIRTABLE_RATE_LIMIT_BUDGET_MS: String(RATE_BUDGET_MS),
      REFRESH_LEASE_MS: '3000',
    },
    port: reserved,
  });
});
afterAll(async () => {
  await server?.stop();
  await fake?.stop();
});
afterEach(() => fake.admin.clearFaults());

const ALL_SCOPES = [
  'data.records:read',
  'data.records:write',
  'schema.bases:read',
  'schema.bases:write',
] as const;

/** A PAT user with one base (table Tasks, 3 records) on the private fake, signed in. */
async function patUserWithBase(): Promise<{ session: string; baseId: string; pat: string }> {
  const user = fake.admin.createUser({ id: uniqueUserId() });
  const { token: pat } = fake.admin.createPat({
    userId: user.id,
    scopes: [...ALL_SCOPES],
    bases: 'all',
  });
  const base = fake.admin.createBase({
    name: 'Faults',
    ownerUserIds: [user.id],
    tables: [
      {
        name: 'Tasks',
        fields: [{ name: 'Name', type: 'singleLineText' }],
        records: [
          { fields: { Name: 'one' } },
          { fields: { Name: 'two' } },
          { fields: { Name: 'three' } },
        ],
      },
    ],
  });
  return {
    session: await sessionFromPat(pat, 'other', server.url),
    baseId: base.id,
    pat,
  };
}

/** Full OAuth sign-in on the private fake; returns the session and user id. */
async function oauthUser(): Promise<{ session: string; userId: string }> {
  const user = fake.admin.createUser({ id: uniqueUserId() });
  const browser = new TestBrowser();
  const start = await browser.fetch(`${server.url}/auth/authorize?platform=claude`);
  expect(start.status).toBe(302);
  const decision = fake.admin.authorize({ url: start.location!, user_id: user.id });
  if (!decision.ok) throw new Error(decision.error);
  const cb = await browser.fetch(decision.location, { headers: { Accept: 'application/json' } });
  expect(cb.status).toBe(200);
  return { session: (JSON.parse(cb.text) as { session_id: string }).session_id, userId: user.id };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await fn();
  return { value, ms: Date.now() - started };
}

function text(result: { content: { text?: string }[] }): string {
  return result.content.map((c) => c.text ?? '').join('\n');
}

describe('Airtable 5xx', () => {
  it('a read retries a little, then fails with a clear error; works again once Airtable does', async () => {
    const { session, baseId } = await patUserWithBase();
    fake.admin.addFault({ pathPattern: `^/v0/${baseId}/`, status: 503, times: 100 });
    const { value, ms } = await timed(() =>
      mcpRaw(server.url, session, toolCall('list_records', { baseId, table: 'Tasks' })),
    );
    const result = toolResult(value);
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/503/);
    expect(ms).toBeLessThan(5000);
    const seen = 100 - fake.admin.listFaults()[0]!.remaining;
    expect(seen).toBe(3); // one attempt and two retries (idempotent), no more
    fake.admin.clearFaults();
    const again = toolResult(
      await mcpRaw(server.url, session, toolCall('list_records', { baseId, table: 'Tasks' })),
    );
    expect(again.isError).toBeFalsy();
  });

  it('a write is never repeated after a 5xx: it fails once, and nothing was written', async () => {
    const { session, baseId } = await patUserWithBase();
    fake.admin.addFault({
      pathPattern: `^/v0/${baseId}/`,
      method: 'POST',
      status: 500,
      times: 100,
    });
    const result = toolResult(
      await mcpRaw(
        server.url,
        session,
        toolCall('create_records', {
          baseId,
          table: 'Tasks',
          records: [{ fields: { Name: 'new' } }],
        }),
      ),
    );
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/500/);
    expect(100 - fake.admin.listFaults()[0]!.remaining).toBe(1);
    expect(fake.admin.listRecords(baseId, 'Tasks').records).toHaveLength(3);
  });
});

describe('Airtable slower than the client timeout', () => {
  it('gives up after the timeout (and two retries) with a clear error, never hangs', async () => {
    const { session, baseId } = await patUserWithBase();
    fake.admin.addFault({ pathPattern: `^/v0/${baseId}/`, delayMs: 4000, times: 3 });
    const { value, ms } = await timed(() =>
      mcpRaw(server.url, session, toolCall('list_records', { baseId, table: 'Tasks' })),
    );
    const result = toolResult(value);
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(new RegExp(`TIMEOUT|within ${TIMEOUT_MS} ms`));
    // 3 attempts of TIMEOUT_MS plus jittered back-off; far below the 4 s Airtable would take.
    expect(ms).toBeLessThan(3 * TIMEOUT_MS + 2000);
  });

  it('a PAT sign-in whose whoami hangs answers 502 quickly and stores nothing', async () => {
    const user = fake.admin.createUser({ id: uniqueUserId() });
    const { token: pat } = fake.admin.createPat({
      userId: user.id,
      scopes: ['data.records:read'],
      bases: 'all',
    });
    fake.admin.addFault({ pathPattern: '^/v0/meta/whoami$', delayMs: 4000, times: 1 });
    const { value: res, ms } = await timed(() =>
      fetch(`${server.url}/api/auth/direct`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ api_key: pat }),
      }),
    );
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: string }).error).toBe('airtable_unavailable');
    expect(ms).toBeLessThan(3000);
    const where = encodeURIComponent(JSON.stringify({ user_id: user.id }));
    const { json } = await parseRest('GET', `classes/UserToken?where=${where}`, master);
    expect(json.results).toEqual([]);
  });
});

describe('Airtable answering 429 for a long time', () => {
  it('honours a short Retry-After within the budget, then fails clearly; later calls fail fast', async () => {
    const { session, baseId } = await patUserWithBase();
    fake.admin.addFault({
      pathPattern: `^/v0/${baseId}/`,
      status: 429,
      times: 1000,
      headers: { 'Retry-After': '1' },
    });
    const first = await timed(() =>
      mcpRaw(server.url, session, toolCall('list_records', { baseId, table: 'Tasks' })),
    );
    const result = toolResult(first.value);
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/rate limit/i);
    expect(first.ms).toBeGreaterThanOrEqual(1000); // it did wait as asked...
    expect(first.ms).toBeLessThan(RATE_BUDGET_MS + 2000); // ...but not beyond the budget
  });

  it('a 429 without Retry-After (Airtable: 30 s) fails at once instead of waiting past the budget', async () => {
    const { session, baseId } = await patUserWithBase();
    fake.admin.addFault({ pathPattern: `^/v0/${baseId}/`, status: 429, times: 1000 });
    for (let i = 0; i < 3; i++) {
      const { value, ms } = await timed(() =>
        mcpRaw(server.url, session, toolCall('list_records', { baseId, table: 'Tasks' })),
      );
      const result = toolResult(value);
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(/rate limit/i);
      expect(ms).toBeLessThan(1500);
    }
    // Only the first call reached Airtable: the others were refused by our own limiter.
    expect(1000 - fake.admin.listFaults()[0]!.remaining).toBe(1);
  });
});

describe('the token endpoint failing during a refresh', () => {
  it('a 503 from the token endpoint fails this call only; the grant survives and works again', async () => {
    const { session, userId } = await oauthUser();
    await expireStoredAccessToken(userId);
    fake.admin.addFault({ pathPattern: '^/oauth2/v1/token$', status: 503, times: 1 });
    const { value, ms } = await timed(() => mcpRaw(server.url, session, toolCall('whoami')));
    const failed = toolResult(value);
    expect(failed.isError).toBe(true);
    expect(text(failed)).toMatch(/refresh/i);
    expect(text(failed)).not.toMatch(/reconnect/i);
    expect(ms).toBeLessThan(3000);

    const where = encodeURIComponent(JSON.stringify({ user_id: userId }));
    const { json } = await parseRest('GET', `classes/UserToken?where=${where}`, master);
    expect((json.results as { status: string }[])[0]!.status).toBe('active');
    // The next call (after the failed holder's lease) refreshes and works.
    const again = toolResult(await mcpRaw(server.url, session, toolCall('whoami'), 20_000));
    expect(again.isError).toBeFalsy();
    expectTokensSafeAtRest(
      await userTokenRows(h.baseUrl, h.appId, h.masterKey, [userId]),
      h.encryptionKey,
    );
  });
});

it('counts what happened, for the master key only (GET /internal/metrics)', async () => {
  const res = await fetch(`${server.url}/internal/metrics`, { headers: master });
  expect(res.status).toBe(200);
  const { counters } = (await res.json()) as { counters: Record<string, number> };
  for (const name of [
    'airtable_requests',
    'airtable_5xx',
    'airtable_timeouts',
    'airtable_429',
    'airtable_rate_limit_refusals',
    'token_refreshes',
    'token_refresh_failures',
  ])
    expect([name, counters[name]]).toEqual([name, expect.any(Number)]);
  expect(counters.airtable_5xx).toBeGreaterThanOrEqual(4);
  expect(counters.airtable_timeouts).toBeGreaterThanOrEqual(3);
  expect(counters.airtable_429).toBeGreaterThanOrEqual(2);
  expect(counters.airtable_rate_limit_refusals).toBeGreaterThanOrEqual(3);
  expect(counters.token_refresh_failures).toBeGreaterThanOrEqual(1);
  expect(counters.token_refreshes).toBeGreaterThanOrEqual(1);
});
