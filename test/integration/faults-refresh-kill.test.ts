/**
 * A server killed in the middle of a token refresh (SIGKILL while Airtable's token endpoint is
 * slow) loses at most that user's grant: everybody else keeps working on the surviving process
 * meanwhile, the killed user's next call either works (once the dead holder's claim lease has
 * expired) or clearly says to reconnect - never hangs - and every stored token still decrypts,
 * with nothing in plaintext. Private fake; two server processes on the harness's database.
 */
import { TestBrowser } from '../helpers/browser';
import { decrypt } from '../../cloud/crypto/fernet';
import { productEnv, startFakeAirtable, type FakeAirtable } from '../../fake-airtable/server';
import { reservePort, startChildStack, type ChildStack } from '../helpers/child-stack';
import { harness, parseRest } from '../harness/env';
import { sessionFromPat, uniqueUserId } from '../helpers/airtable';
import {
  expectTokensSafeAtRest,
  load,
  mcpRaw,
  toolCall,
  toolResult,
  userTokenRows,
  waitFor,
} from './faults-support';
import { expireStoredAccessToken } from '../helpers/stored-token';

const h = harness();
const master = { 'X-Parse-Master-Key': h.masterKey };
const LEASE_MS = 3000;
let fake: FakeAirtable;
let victim: ChildStack;
let survivor: ChildStack;

beforeAll(async () => {
  fake = await startFakeAirtable({ port: 0 });
  const [victimPort, survivorPort] = await Promise.all([reservePort(), reservePort()]);
  const publicUrl = `http://localhost:${victimPort.port}`;
  fake.admin.registerRedirectUri({ uri: `${publicUrl}/auth/callback` });
  const env = {
    PUBLIC_URL: publicUrl,
    ...productEnv(fake),
    AIRTABLE_TIMEOUT_MS: '1500',
    REFRESH_LEASE_MS: String(LEASE_MS),
  };
  [victim, survivor] = await Promise.all([
    startChildStack({ env, port: victimPort }),
    startChildStack({ env, port: survivorPort }),
  ]);
});
afterAll(async () => {
  await Promise.all([victim?.stop(), survivor?.stop()]);
  await fake?.stop();
});

async function oauthUser(): Promise<{ session: string; userId: string }> {
  const user = fake.admin.createUser({ id: uniqueUserId() });
  // Both processes share PUBLIC_URL (the victim's); the survivor can finish any sign-in, even
  // after the victim is gone, because the state lives in the shared database.
  // One browser throughout, on the survivor's own address (its binding cookie lives there).
  const browser = new TestBrowser();
  const start = await browser.fetch(`${survivor.url}/auth/authorize?platform=claude`);
  expect(start.status).toBe(302);
  const decision = fake.admin.authorize({ url: start.location!, user_id: user.id });
  if (!decision.ok) throw new Error(decision.error);
  const callback = new URL(decision.location);
  const cb = await browser.fetch(`${survivor.url}${callback.pathname}${callback.search}`, {
    headers: { Accept: 'application/json' },
  });
  expect(cb.status).toBe(200);
  return { session: (JSON.parse(cb.text) as { session_id: string }).session_id, userId: user.id };
}

async function patUser(): Promise<{ session: string; userId: string; pat: string }> {
  const user = fake.admin.createUser({ id: uniqueUserId() });
  const { token: pat } = fake.admin.createPat({
    userId: user.id,
    scopes: ['schema.bases:read'],
    bases: 'all',
  });
  return {
    session: await sessionFromPat(pat, 'other', survivor.url),
    userId: user.id,
    pat,
  };
}

function text(result: { content: { text?: string }[] }): string {
  return result.content.map((c) => c.text ?? '').join('\n');
}

it('a refresh killed half-way costs at most that grant; other users never notice', async () => {
  const killed = await oauthUser();
  const pat = await patUser();
  const others = [await oauthUser(), await oauthUser(), pat];
  for (const o of others)
    expect(
      toolResult(await mcpRaw(survivor.url, o.session, toolCall('whoami'))).isError,
    ).toBeFalsy();

  // The other users keep calling the surviving process for the whole episode.
  const traffic = load(3, (i) => mcpRaw(survivor.url, others[i]!.session, toolCall('whoami')));
  try {
    await expireStoredAccessToken(killed.userId);
    const tokenCalls = () => fake.admin.stats().tokenRequests.refresh_token ?? 0;
    const before = tokenCalls();
    fake.admin.addFault({
      pathPattern: '^/oauth2/v1/token$',
      method: 'POST',
      delayMs: 1200,
      times: 1,
    });
    // The fake logs the request the kill aborts; that line is expected here.
    const quiet = jest.spyOn(console, 'error').mockImplementation(() => {});
    const doomed = mcpRaw(victim.url, killed.session, toolCall('whoami'));
    // Kill it once its refresh request is at Airtable (claimed, sent, not yet answered).
    await waitFor(
      'the refresh to reach Airtable',
      async () =>
        fake.admin.listFaults().length === 0 || fake.admin.listFaults()[0]!.remaining === 0,
      10_000,
    );
    await victim.kill();
    expect((await doomed).status).toBe(0); // the connection died with the process
    await new Promise((r) => setTimeout(r, 1500)); // the fake's delayed handler runs and fails
    quiet.mockRestore();
    expect(tokenCalls()).toBeGreaterThanOrEqual(before);

    // The killed user's next call, on the survivor: after the dead claim's lease it refreshes
    // (or finds the grant gone and says to reconnect) - bounded, never a hang.
    const started = Date.now();
    const next = await mcpRaw(survivor.url, killed.session, toolCall('whoami'), 30_000);
    const ms = Date.now() - started;
    const result = toolResult(next);
    if (result.isError) expect(text(result)).toMatch(/reconnect/i);
    else expect(ms).toBeGreaterThanOrEqual(LEASE_MS - 2000); // it waited for the dead claim
    expect(ms).toBeLessThan(LEASE_MS + 10_000);
  } finally {
    await traffic.stop();
  }
  const all = traffic.outcomes;
  expect(all.length).toBeGreaterThan(5);
  for (const o of all) expect(toolResult(o).isError).toBeFalsy();
  // Everyone else still works afterwards.
  for (const o of others)
    expect(
      toolResult(await mcpRaw(survivor.url, o.session, toolCall('whoami'))).isError,
    ).toBeFalsy();

  const ids = new Set([killed.userId, ...others.map((o) => o.userId)]);
  const rows = await userTokenRows(h.baseUrl, h.appId, h.masterKey, [...ids]);
  expect(rows).toHaveLength(4);
  expectTokensSafeAtRest(rows, h.encryptionKey, [pat.pat]);
  for (const row of rows) if (row.user_id !== killed.userId) expect(row.status).toBe('active');
});

it('a refresh Airtable completed but the dying server never stored: that user reconnects, nobody else notices', async () => {
  const killed = await oauthUser();
  const other = await oauthUser();
  // What the dead server left behind: its claim on the row, and a rotation at Airtable whose new
  // pair it never stored (the refresh token we hold is now the replaced one).
  const where = encodeURIComponent(JSON.stringify({ user_id: killed.userId }));
  const { json } = await parseRest('GET', `classes/UserToken?where=${where}`, master);
  const row = (json.results as { objectId: string; tokens: string }[])[0]!;
  const cred = JSON.parse(decrypt(row.tokens, h.encryptionKey)) as { refreshToken: string };
  const claim = await parseRest('PUT', `classes/UserToken/${row.objectId}`, master, {
    refresh_claim: { __op: 'Increment', amount: 1 },
    refresh_claim_at: { __type: 'Date', iso: new Date().toISOString() },
  });
  expect(claim.status).toBe(200);
  const rotated = await fetch(`${fake.url}/oauth2/v1/token`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: `Basic ${Buffer.from(`${fake.clientId}:${fake.clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: cred.refreshToken }),
  });
  expect(rotated.status).toBe(200);
  await expireStoredAccessToken(killed.userId);

  const [mine, theirs] = await Promise.all([
    mcpRaw(survivor.url, killed.session, toolCall('whoami'), 30_000),
    mcpRaw(survivor.url, other.session, toolCall('whoami')),
  ]);
  expect(theirs.ms).toBeLessThan(LEASE_MS); // not held up by the other user's claim
  expect(toolResult(theirs).isError).toBeFalsy();
  const result = toolResult(mine);
  expect(result.isError).toBe(true);
  expect(text(result)).toMatch(/reconnect/i);
  expect(mine.ms).toBeLessThan(2 * LEASE_MS + 10_000);

  const rows = await userTokenRows(h.baseUrl, h.appId, h.masterKey, [killed.userId, other.userId]);
  expectTokensSafeAtRest(rows, h.encryptionKey);
  const status = Object.fromEntries(rows.map((r) => [String(r.user_id), r.status]));
  expect(status).toEqual({ [killed.userId]: 'dead', [other.userId]: 'active' });
  expect(
    toolResult(await mcpRaw(survivor.url, other.session, toolCall('whoami'))).isError,
  ).toBeFalsy();
});
