/**
 * The fake Airtable's OAuth side enforces Airtable's rules (airtable.com/developers/web/api/oauth-reference):
 * exact redirect URIs, PKCE S256 only, Basic client auth required/forbidden, single-use codes,
 * rotating refresh tokens with the 409 grace window and grant burning, expiry on the fake clock.
 */
import { startFakeAirtable, type FakeAirtable } from '../../fake-airtable/server';
import { FakeAirtableAdminClient } from '../../fake-airtable/admin-client';
import {
  authorizeQuery,
  basicAuth,
  pkcePair,
  postToken,
  randomState,
} from '../../fake-airtable/oauth-test-kit';

const REDIRECT = 'http://localhost:8000/auth/callback';
const SCOPE = 'data.records:read schema.bases:read';
let fake: FakeAirtable;
let http: FakeAirtableAdminClient;
let userId: string;

beforeAll(async () => {
  fake = await startFakeAirtable({ port: 0 });
  http = new FakeAirtableAdminClient(fake.url);
});
afterAll(() => fake.stop());
beforeEach(async () => {
  fake.admin.reset();
  await http.registerRedirectUri(REDIRECT);
  userId = (await http.createUser({ name: 'Test User', email: 'test@example.com' })).id;
});

async function authorizeGet(q: URLSearchParams) {
  return fetch(`${fake.url}/oauth2/v1/authorize?${q}`, { redirect: 'manual' });
}

/** Approves through the admin shortcut and returns code + verifier. */
async function approve(scope = SCOPE, clientId = fake.clientId) {
  const { verifier, challenge } = pkcePair();
  const state = randomState();
  const q = authorizeQuery({ clientId, redirectUri: REDIRECT, scope, challenge, state });
  const res = await http.authorize({ query: q.toString(), userId });
  if (!res.ok || !res.code) throw new Error(`authorize failed: ${JSON.stringify(res)}`);
  expect(res.state).toBe(state);
  return { code: res.code, verifier };
}

const basic = () => basicAuth(fake.clientId, fake.clientSecret);

async function exchange(code: string, verifier: string, redirectUri = REDIRECT) {
  return postToken(
    fake.url,
    { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier },
    basic(),
  );
}

async function tokens(scope = SCOPE) {
  const { code, verifier } = await approve(scope);
  const res = await exchange(code, verifier);
  expect(res.status).toBe(200);
  return res.json as { access_token: string; refresh_token: string; scope: string };
}

const refresh = (refreshToken: string, extra: Record<string, string> = {}) =>
  postToken(
    fake.url,
    { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra },
    basic(),
  );

async function whoami(token: string) {
  const res = await fetch(`${fake.url}/v0/meta/whoami`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('GET /oauth2/v1/authorize', () => {
  test('an unknown client_id gets an error page, never a redirect', async () => {
    const { challenge } = pkcePair();
    const res = await authorizeGet(
      authorizeQuery({ clientId: 'nope', redirectUri: REDIRECT, scope: SCOPE, challenge }),
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  test.each([
    'http://localhost:8000/auth/callback/',
    'http://localhost:8001/auth/callback',
    'http://127.0.0.1:8000/auth/callback',
    'https://evil.example/auth/callback',
    'http://localhost:8000/auth/callback?x=1',
  ])('redirect_uri %s (not registered exactly) is an error page without redirect', async (uri) => {
    const { challenge } = pkcePair();
    const res = await authorizeGet(
      authorizeQuery({ clientId: fake.clientId, redirectUri: uri, scope: SCOPE, challenge }),
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('does not exactly match');
  });

  test.each([
    { name: 'plain PKCE', over: { method: 'plain' }, error: 'invalid_request' },
    { name: 'no code_challenge_method', over: { method: null }, error: 'invalid_request' },
    { name: 'a short challenge', over: { challenge: 'abc' }, error: 'invalid_request' },
    { name: 'a short state', over: { state: 'short' }, error: 'invalid_request' },
    {
      name: 'a state with a space',
      over: { state: 'abcdefghijklmnop q' },
      error: 'invalid_request',
    },
    {
      name: 'an unknown scope',
      over: { scope: 'data.records:read data.everything' },
      error: 'invalid_scope',
    },
    { name: 'an empty scope', over: { scope: '' }, error: 'invalid_scope' },
  ])('$name is redirected back with error=$error and the state', async ({ over, error }) => {
    const { challenge } = pkcePair();
    const state = (over as { state?: string }).state ?? randomState();
    const q = authorizeQuery({
      clientId: fake.clientId,
      redirectUri: REDIRECT,
      scope: SCOPE,
      challenge,
      state,
      ...over,
    });
    const res = await authorizeGet(q);
    expect(res.status).toBe(302);
    const loc = new URL(res.headers.get('location')!);
    expect(`${loc.origin}${loc.pathname}`).toBe(REDIRECT);
    expect(loc.searchParams.get('error')).toBe(error);
    expect(loc.searchParams.get('error_description')).toBeTruthy();
    expect(loc.searchParams.get('state')).toBe(state);
    expect(loc.searchParams.get('code')).toBeNull();
  });

  test('response_type other than code is unsupported_response_type', async () => {
    const { challenge } = pkcePair();
    const q = authorizeQuery({
      clientId: fake.clientId,
      redirectUri: REDIRECT,
      scope: SCOPE,
      challenge,
    });
    q.set('response_type', 'token');
    const loc = new URL((await authorizeGet(q)).headers.get('location')!);
    expect(loc.searchParams.get('error')).toBe('unsupported_response_type');
  });

  test('the HTML consent page approves and denies through its form', async () => {
    const { verifier, challenge } = pkcePair();
    const state = randomState();
    const q = authorizeQuery({
      clientId: fake.clientId,
      redirectUri: REDIRECT,
      scope: SCOPE,
      challenge,
      state,
    });
    const page = await authorizeGet(q);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Airtable SANDBOX - this is not Airtable');
    expect(html).toContain(userId);
    const requestId = /name="request_id" value="([^"]+)"/.exec(html)![1]!;
    const post = (form: Record<string, string>) =>
      fetch(`${fake.url}/oauth2/v1/authorize/decision`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
      });
    const res = await post({ request_id: requestId, user_id: userId, decision: 'approve' });
    expect(res.status).toBe(302);
    const loc = new URL(res.headers.get('location')!);
    expect(loc.searchParams.get('state')).toBe(state);
    const code = loc.searchParams.get('code')!;
    expect((await exchange(code, verifier)).status).toBe(200);
    // The request id is single use.
    expect(
      (await post({ request_id: requestId, user_id: userId, decision: 'approve' })).status,
    ).toBe(400);

    const page2 = await (
      await authorizeGet(
        authorizeQuery({
          clientId: fake.clientId,
          redirectUri: REDIRECT,
          scope: SCOPE,
          challenge,
          state,
        }),
      )
    ).text();
    const id2 = /name="request_id" value="([^"]+)"/.exec(page2)![1]!;
    const denied = await post({ request_id: id2, user_id: userId, decision: 'deny' });
    const dl = new URL(denied.headers.get('location')!);
    expect(dl.searchParams.get('error')).toBe('access_denied');
    expect(dl.searchParams.get('state')).toBe(state);
  });

  test('the admin shortcut reports redirecting errors and page errors', async () => {
    const { challenge } = pkcePair();
    const bad = await fetch(`${fake.url}/__admin/authorize`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        query: authorizeQuery({
          clientId: fake.clientId,
          redirectUri: 'http://x.example/cb',
          scope: SCOPE,
          challenge,
        }).toString(),
        user_id: userId,
      }),
    });
    expect(bad.status).toBe(400);
    const plain = await http.authorize({
      query: authorizeQuery({
        clientId: fake.clientId,
        redirectUri: REDIRECT,
        scope: SCOPE,
        challenge,
        method: 'plain',
      }).toString(),
      userId,
    });
    expect(plain).toMatchObject({ ok: true, error: 'invalid_request' });
  });
});

describe('POST /oauth2/v1/token: client authentication', () => {
  test('a confidential client must use HTTP Basic', async () => {
    const { code, verifier } = await approve();
    const res = await postToken(fake.url, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      client_id: fake.clientId,
    });
    expect(res).toMatchObject({ status: 401, json: { error: 'invalid_client' } });
    expect(typeof res.json.error_description).toBe('string');
  });

  test('a wrong secret or a client_secret in the body is invalid_client', async () => {
    const { code, verifier } = await approve();
    const form = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    };
    expect((await postToken(fake.url, form, basicAuth(fake.clientId, 'wrong'))).status).toBe(401);
    const inBody = await postToken(fake.url, {
      ...form,
      client_id: fake.clientId,
      client_secret: fake.clientSecret,
    });
    expect(inBody).toMatchObject({ status: 401, json: { error: 'invalid_client' } });
  });

  // Airtable's docs and reference client send base64 of the RAW client_id:client_secret; the RFC
  // 6749 section 2.3.1 variant (each part form-encoded first) is not documented to work there.
  test('Basic credentials are compared raw: the form-encoded variant is refused', async () => {
    expect(fake.clientId).toMatch(/[-_.]/);
    expect(fake.clientSecret).toMatch(/[-_.]/);
    const formEncoded = (v: string) =>
      encodeURIComponent(v).replace(
        /[-_.!~*'()]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      );
    const { code, verifier } = await approve();
    const form = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    };
    const encoded = await postToken(
      fake.url,
      form,
      basicAuth(formEncoded(fake.clientId), formEncoded(fake.clientSecret)),
    );
    expect(encoded).toMatchObject({ status: 401, json: { error: 'invalid_client' } });
    expect(String(encoded.json.error_description)).toMatch(/form-encoded/);
    // A refused exchange still spends the code (Airtable: single use even when it fails).
    const again = await approve();
    const raw = await postToken(
      fake.url,
      { ...form, code: again.code, code_verifier: again.verifier },
      basic(),
    );
    expect(raw.status).toBe(200);
  });

  test('a client without secret must NOT use Basic and sends client_id in the body', async () => {
    const pub = await http.createClient({ clientSecret: null, redirectUris: [REDIRECT] });
    const { verifier, challenge } = pkcePair();
    const run = async () => {
      const q = authorizeQuery({
        clientId: pub.clientId,
        redirectUri: REDIRECT,
        scope: SCOPE,
        challenge,
      });
      const r = await http.authorize({ query: q.toString(), userId });
      if (!r.ok) throw new Error('authorize failed');
      return r.code!;
    };
    const form = (code: string) => ({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
    const withBasic = await postToken(
      fake.url,
      { ...form(await run()), client_id: pub.clientId },
      basicAuth(pub.clientId, ''),
    );
    expect(withBasic).toMatchObject({ status: 401, json: { error: 'invalid_client' } });
    const ok = await postToken(fake.url, { ...form(await run()), client_id: pub.clientId });
    expect(ok.status).toBe(200);
    const missing = await postToken(fake.url, form(await run()));
    expect(missing).toMatchObject({ status: 401, json: { error: 'invalid_client' } });
  });

  test('only application/x-www-form-urlencoded is accepted', async () => {
    const res = await fetch(`${fake.url}/oauth2/v1/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: basic() },
      body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: 'x' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
  });
});

describe('POST /oauth2/v1/token: authorization_code', () => {
  test('success has Airtable’s response shape', async () => {
    const { code, verifier } = await approve();
    const res = await exchange(code, verifier);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      token_type: 'Bearer',
      scope: SCOPE,
      expires_in: 3600,
      refresh_expires_in: 5184000,
    });
  });

  test('a code is single use, even when the first exchange failed', async () => {
    const { code, verifier } = await approve();
    const wrong = await exchange(code, pkcePair().verifier);
    expect(wrong).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
    expect(await exchange(code, verifier)).toMatchObject({
      status: 400,
      json: { error: 'invalid_grant' },
    });
    const second = await approve();
    expect((await exchange(second.code, second.verifier)).status).toBe(200);
    expect((await exchange(second.code, second.verifier)).json.error).toBe('invalid_grant');
  });

  test('redirect_uri must equal the authorize one', async () => {
    const { code, verifier } = await approve();
    const res = await exchange(code, verifier, 'http://localhost:8000/auth/other');
    expect(res.json.error).toBe('invalid_grant');
  });

  test('code_verifier must be well formed and match the S256 challenge', async () => {
    const a = await approve();
    expect((await exchange(a.code, 'short')).json.error).toBe('invalid_grant');
    const b = await approve();
    // "~" is allowed by RFC 7636 but not by Airtable's documented set.
    expect((await exchange(b.code, `${b.verifier.slice(0, 50)}~`)).json.error).toBe(
      'invalid_grant',
    );
  });

  test('codes expire after 10 minutes on the fake clock', async () => {
    const { code, verifier } = await approve();
    await http.advanceClock(10 * 60 * 1000 + 1000);
    expect((await exchange(code, verifier)).json.error).toBe('invalid_grant');
  });
});

describe('refresh_token: rotation, 409 window, burned grants', () => {
  test('a refresh returns a new pair and kills the previous access and refresh tokens', async () => {
    const t1 = await tokens();
    const r = await refresh(t1.refresh_token);
    expect(r.status).toBe(200);
    const t2 = r.json as typeof t1;
    expect(t2.access_token).not.toBe(t1.access_token);
    expect(t2.refresh_token).not.toBe(t1.refresh_token);
    expect((await whoami(t1.access_token)).status).toBe(401);
    expect((await whoami(t2.access_token)).status).toBe(200);
    expect((await http.stats()).refreshesByUser[userId]).toBe(1);
  });

  test('the just-rotated refresh token within 2 s gets 409 and the grant survives', async () => {
    const t1 = await tokens();
    const t2 = (await refresh(t1.refresh_token)).json as typeof t1;
    const again = await refresh(t1.refresh_token);
    expect(again.status).toBe(409);
    expect((await whoami(t2.access_token)).status).toBe(200);
    expect((await refresh(t2.refresh_token)).status).toBe(200);
  });

  test('a stale refresh token after the window burns the whole grant', async () => {
    const t1 = await tokens();
    const t2 = (await refresh(t1.refresh_token)).json as typeof t1;
    await http.advanceClock(2500);
    expect(await refresh(t1.refresh_token)).toMatchObject({
      status: 400,
      json: { error: 'invalid_grant' },
    });
    expect((await whoami(t2.access_token)).status).toBe(401);
    expect((await refresh(t2.refresh_token)).json.error).toBe('invalid_grant');
    expect((await http.listGrants(userId)).grants[0]!.revoked).toBe(true);
  });

  test('an older refresh token (two rotations back) burns the grant at once', async () => {
    const t1 = await tokens();
    const t2 = (await refresh(t1.refresh_token)).json as typeof t1;
    const t3 = (await refresh(t2.refresh_token)).json as typeof t1;
    expect((await refresh(t1.refresh_token)).status).toBe(400);
    expect((await whoami(t3.access_token)).status).toBe(401);
  });

  test('a narrower scope is honoured, a broader one is invalid_scope', async () => {
    const t1 = await tokens('data.records:read schema.bases:read user.email:read');
    const wider = await refresh(t1.refresh_token, {
      scope: 'data.records:read data.records:write',
    });
    expect(wider).toMatchObject({ status: 400, json: { error: 'invalid_scope' } });
    const narrow = await refresh(t1.refresh_token, { scope: 'data.records:read' });
    expect(narrow.json.scope).toBe('data.records:read');
    const me = await whoami(narrow.json.access_token as string);
    expect(me.json).toEqual({ id: userId, scopes: ['data.records:read'] });
  });

  test('refresh tokens die after 60 days', async () => {
    const t1 = await tokens();
    await http.advanceClock(60 * 24 * 3600 * 1000 + 1000);
    expect((await refresh(t1.refresh_token)).json.error).toBe('invalid_grant');
  });

  test('unknown refresh tokens and grant types', async () => {
    expect((await refresh('nope')).json.error).toBe('invalid_grant');
    const res = await postToken(fake.url, { grant_type: 'password' }, basic());
    expect(res.json.error).toBe('unsupported_grant_type');
  });

  test('token requests are counted by grant_type', async () => {
    const t1 = await tokens();
    await refresh(t1.refresh_token);
    const s = await http.stats();
    expect(s.tokenRequests).toEqual({ authorization_code: 1, refresh_token: 1 });
  });
});

describe('GET /v0/meta/whoami and token lifetime', () => {
  test('OAuth: id and scopes; email only with user.email:read', async () => {
    const plain = await tokens();
    expect((await whoami(plain.access_token)).json).toEqual({
      id: userId,
      scopes: SCOPE.split(' '),
    });
    const withEmail = await tokens('user.email:read');
    expect((await whoami(withEmail.access_token)).json).toEqual({
      id: userId,
      email: 'test@example.com',
      scopes: ['user.email:read'],
    });
  });

  test('PATs: id (and email with the scope), never scopes', async () => {
    const { token } = await http.createPat({ userId, scopes: ['data.records:read'], bases: 'all' });
    expect(token).toMatch(/^pat[A-Za-z0-9]{14}\.[0-9a-f]{64}$/);
    expect((await whoami(token)).json).toEqual({ id: userId });
    const e = await http.createPat({ userId, scopes: ['user.email:read'], bases: 'all' });
    expect((await whoami(e.token)).json).toEqual({ id: userId, email: 'test@example.com' });
    await http.revokePat(token);
    expect((await whoami(token)).status).toBe(401);
  });

  test('bad tokens get 401 AUTHENTICATION_REQUIRED in Airtable’s shape', async () => {
    for (const auth of [
      undefined,
      'Bearer nope',
      'Basic abc',
      `Bearer pat${'a'.repeat(14)}.${'0'.repeat(64)}`,
    ]) {
      const res = await fetch(
        `${fake.url}/v0/meta/whoami`,
        auth ? { headers: { Authorization: auth } } : {},
      );
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        error: { type: 'AUTHENTICATION_REQUIRED', message: expect.any(String) },
      });
    }
  });

  test('access tokens expire after accessTokenTtlSeconds on the fake clock', async () => {
    await http.setConfig({ accessTokenTtlSeconds: 60 });
    const t = await tokens();
    expect((await whoami(t.access_token)).status).toBe(200);
    await http.advanceClock(61_000);
    expect((await whoami(t.access_token)).status).toBe(401);
    const r = await refresh(t.refresh_token);
    expect(r.json.expires_in).toBe(60);
    expect((await whoami(r.json.access_token as string)).status).toBe(200);
  });

  test('admin can force-expire a user’s access tokens and revoke grants', async () => {
    const t = await tokens();
    expect(await http.expireAccessTokens(userId)).toEqual({ expired: 1 });
    expect((await whoami(t.access_token)).status).toBe(401);
    const r = (await refresh(t.refresh_token)).json as typeof t;
    expect((await whoami(r.access_token)).status).toBe(200);
    expect(await http.revokeGrants({ refreshToken: r.refresh_token })).toEqual({ revoked: 1 });
    expect((await whoami(r.access_token)).status).toBe(401);
    expect((await refresh(r.refresh_token)).json.error).toBe('invalid_grant');
  });
});

describe('faults and counters', () => {
  test('an injected fault answers instead of the endpoint, then stops', async () => {
    await http.addFault({ pathPattern: '^/oauth2/v1/token$', status: 503, times: 2 });
    const t = await approve();
    expect((await exchange(t.code, t.verifier)).status).toBe(503);
    const r2 = await exchange(t.code, t.verifier);
    expect(r2).toMatchObject({ status: 503, json: { error: 'temporarily_unavailable' } });
    // The code was never consumed by the faulted requests.
    expect((await exchange(t.code, t.verifier)).status).toBe(200);
    expect((await http.stats()).faultsInjected).toBe(2);
  });

  test('a fault scoped to an Authorization header leaves other callers alone', async () => {
    const mine = await tokens();
    const theirs = await tokens();
    await http.addFault({
      pathPattern: '^/v0/meta/whoami$',
      authorization: `Bearer ${mine.access_token}`,
      status: 503,
    });
    expect((await whoami(theirs.access_token)).status).toBe(200);
    expect((await whoami(mine.access_token)).status).toBe(503);
    expect((await whoami(mine.access_token)).status).toBe(200);
  });

  test('a delay-only fault slows the request down but lets it through', async () => {
    const t = await tokens();
    await http.addFault({ pathPattern: '^/v0/meta/whoami$', delayMs: 300 });
    const started = Date.now();
    expect((await whoami(t.access_token)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });
});
