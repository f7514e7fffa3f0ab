/**
 * POST /token: RFC 6749 sections 4.1.3, 5.1, 5.2 and 6; RFC 7636 section 4.6; RFC 8707; OAuth 2.1
 * section 4.3.1 (refresh token rotation); grant family revocation on replay.
 */
import { sessionCredential } from '../../cloud/auth/session-auth';
import { keyedHash } from '../../cloud/crypto/keyed-hash';
import { REFRESH_REUSE_GRACE_MS } from '../../cloud/oauth-server/endpoints/token-refresh';
import {
  exchangeCode,
  obtainCode,
  postForm,
  postJson,
  REDIRECT,
  registerClient,
  RESOURCE,
  startFixture,
  openConsent,
  decide,
  pkcePair,
  signIn,
  type Fixture,
} from './oauth-server-fixture';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.close());

function basic(id: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s);
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}

async function tokensFor(extra: Record<string, string> = {}) {
  const { clientId, code, verifier } = await obtainCode(f);
  const res = await exchangeCode(f, {
    code,
    code_verifier: verifier,
    client_id: clientId,
    redirect_uri: REDIRECT,
    resource: RESOURCE,
    ...extra,
  });
  return { clientId, code, verifier, ...res };
}

describe('authorization_code (RFC 6749 section 4.1.3)', () => {
  it('issues an opaque access token and a refresh token, no-store (section 5.1)', async () => {
    const { status, json, res, clientId } = await tokensFor();
    expect(status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    expect(json).toMatchObject({
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'airtable:read airtable:write',
    });
    expect(json.access_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(json.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The access token is a UserSession of kind mcp_access bound to client, resource and grant.
    const session = await f.storage.findSession(String(json.access_token));
    expect(session?.data).toMatchObject({
      kind: 'mcp_access',
      platform: 'mcp-oauth',
      clientId,
      resource: RESOURCE,
      scopes: ['airtable:read', 'airtable:write'],
    });
    expect(session?.data.grantId).toBeTruthy();
    // Refresh tokens are stored hashed only.
    expect(JSON.stringify([...f.store.refreshTokens.entries()])).not.toContain(
      String(json.refresh_token),
    );
  });

  it('accepts a JSON body too, and the resource may be omitted', async () => {
    const { clientId, code, verifier } = await obtainCode(f);
    const { status } = await postJson(`${f.url}/token`, {
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      client_id: clientId,
    });
    expect(status).toBe(200);
  });

  it('a replayed code is invalid_grant and revokes everything the first use issued', async () => {
    const first = await tokensFor();
    expect(first.status).toBe(200);
    const replay = await exchangeCode(f, {
      code: first.code,
      code_verifier: first.verifier,
      client_id: first.clientId,
      redirect_uri: REDIRECT,
    });
    expect(replay.status).toBe(400);
    expect(replay.json.error).toBe('invalid_grant');
    expect(await f.storage.findSession(String(first.json.access_token))).toBeNull();
    const refresh = await postForm(`${f.url}/token`, {
      grant_type: 'refresh_token',
      refresh_token: String(first.json.refresh_token),
      client_id: first.clientId,
    });
    expect(refresh.json.error).toBe('invalid_grant');
  });

  it.each([
    ['a wrong code_verifier', { code_verifier: 'x'.repeat(43) }, 'invalid_grant'],
    ['a wrong redirect_uri', { redirect_uri: 'https://client.example.com/other' }, 'invalid_grant'],
    ['a wrong resource', { resource: 'https://other.example/mcp' }, 'invalid_target'],
  ])('%s -> %s, and the code is burnt', async (_label, override, error) => {
    const { clientId, code, verifier } = await obtainCode(f);
    const bad = await exchangeCode(f, {
      code,
      code_verifier: verifier,
      client_id: clientId,
      redirect_uri: REDIRECT,
      ...override,
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toBe(error);
    expect(bad.res.headers.get('cache-control')).toBe('no-store');
    const retry = await exchangeCode(f, {
      code,
      code_verifier: verifier,
      client_id: clientId,
      redirect_uri: REDIRECT,
    });
    expect(retry.json.error).toBe('invalid_grant');
  });

  it('an unknown code is invalid_grant', async () => {
    const { clientId, verifier } = await obtainCode(f);
    const bad = await exchangeCode(f, {
      code: 'A'.repeat(43),
      code_verifier: verifier,
      client_id: clientId,
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toBe('invalid_grant');
  });

  it('a malformed code_verifier is invalid_request and leaves the code usable', async () => {
    const { clientId, code, verifier } = await obtainCode(f);
    const bad = await exchangeCode(f, { code, code_verifier: 'short', client_id: clientId });
    expect(bad.json.error).toBe('invalid_request');
    const ok = await exchangeCode(f, { code, code_verifier: verifier, client_id: clientId });
    expect(ok.status).toBe(200);
  });

  it('a code of another client is invalid_grant', async () => {
    const { code, verifier } = await obtainCode(f);
    const { clientId: other } = await registerClient(f);
    const bad = await exchangeCode(f, { code, code_verifier: verifier, client_id: other });
    expect(bad.json.error).toBe('invalid_grant');
  });

  it('an expired code (10 minutes) is invalid_grant', async () => {
    const { clientId, code, verifier } = await obtainCode(f);
    f.clock.now = new Date(f.clock.now.getTime() + 11 * 60 * 1000);
    try {
      const bad = await exchangeCode(f, { code, code_verifier: verifier, client_id: clientId });
      expect(bad.json.error).toBe('invalid_grant');
    } finally {
      f.clock.now = new Date();
    }
  });
});

describe('client authentication (RFC 6749 sections 2.3.1 and 5.2)', () => {
  it('an unknown client_id is 401 invalid_client (so Claude registers again)', async () => {
    const { code, verifier } = await obtainCode(f);
    const bad = await exchangeCode(f, {
      code,
      code_verifier: verifier,
      client_id: 'ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ',
    });
    expect(bad.status).toBe(401);
    expect(bad.json.error).toBe('invalid_client');
    expect(bad.res.headers.get('www-authenticate')).toBeNull();
  });

  it('no client_id at all is 401 invalid_client', async () => {
    const bad = await postForm(`${f.url}/token`, { grant_type: 'authorization_code', code: 'x' });
    expect(bad.status).toBe(401);
    expect(bad.json.error).toBe('invalid_client');
  });

  async function confidentialCode(method: string) {
    const { clientId, clientSecret } = await registerClient(f, {
      token_endpoint_auth_method: method,
    });
    const { verifier, challenge } = pkcePair();
    const session = await signIn(f);
    const { consent, cookie } = await openConsent(
      f,
      {
        client_id: clientId,
        redirect_uri: REDIRECT,
        response_type: 'code',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      },
      session,
    );
    const answer = await decide(f, consent, cookie, 'approve');
    const code = new URL(answer.res.headers.get('location')!).searchParams.get('code')!;
    return { clientId, clientSecret: clientSecret!, code, verifier };
  }

  it('client_secret_basic works; a wrong secret is 401 with a Basic challenge', async () => {
    const c = await confidentialCode('client_secret_basic');
    const wrong = await exchangeCode(
      f,
      { code: c.code, code_verifier: c.verifier },
      { Authorization: basic(c.clientId, 'wrong-secret') },
    );
    expect(wrong.status).toBe(401);
    expect(wrong.json.error).toBe('invalid_client');
    expect(wrong.res.headers.get('www-authenticate')).toMatch(/^Basic /);
    const c2 = await confidentialCode('client_secret_basic');
    const ok = await exchangeCode(
      f,
      { code: c2.code, code_verifier: c2.verifier },
      { Authorization: basic(c2.clientId, c2.clientSecret) },
    );
    expect(ok.status).toBe(200);
  });

  it('client_secret_post works; a missing secret is invalid_client', async () => {
    const c = await confidentialCode('client_secret_post');
    const missing = await exchangeCode(f, {
      code: c.code,
      code_verifier: c.verifier,
      client_id: c.clientId,
    });
    expect(missing.status).toBe(401);
    const c2 = await confidentialCode('client_secret_post');
    const ok = await exchangeCode(f, {
      code: c2.code,
      code_verifier: c2.verifier,
      client_id: c2.clientId,
      client_secret: c2.clientSecret,
    });
    expect(ok.status).toBe(200);
  });

  it('two authentication methods at once is invalid_request', async () => {
    const c = await confidentialCode('client_secret_post');
    const both = await exchangeCode(
      f,
      { code: c.code, code_verifier: c.verifier, client_secret: c.clientSecret },
      { Authorization: basic(c.clientId, c.clientSecret) },
    );
    expect(both.status).toBe(400);
    expect(both.json.error).toBe('invalid_request');
  });

  it('a public client that sends a secret is invalid_client', async () => {
    const { clientId, code, verifier } = await obtainCode(f);
    const bad = await exchangeCode(f, {
      code,
      code_verifier: verifier,
      client_id: clientId,
      client_secret: 'whatever',
    });
    expect(bad.status).toBe(401);
  });
});

describe('grant types', () => {
  it('a missing grant_type is invalid_request; an unknown one unsupported_grant_type', async () => {
    const { clientId } = await registerClient(f);
    const missing = await postForm(`${f.url}/token`, { client_id: clientId });
    expect(missing.json.error).toBe('invalid_request');
    const unknown = await postForm(`${f.url}/token`, {
      grant_type: 'client_credentials',
      client_id: clientId,
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toBe('unsupported_grant_type');
  });

  it('a client that did not register refresh_token gets none, and cannot refresh', async () => {
    const { clientId } = await registerClient(f, { grant_types: ['authorization_code'] });
    const refresh = await postForm(`${f.url}/token`, {
      grant_type: 'refresh_token',
      refresh_token: 'A'.repeat(43),
      client_id: clientId,
    });
    expect(refresh.json.error).toBe('unauthorized_client');
  });
});

describe('refresh_token (RFC 6749 section 6, OAuth 2.1 section 4.3.1 rotation)', () => {
  const refresh = (clientId: string, token: string, extra: Record<string, string> = {}) =>
    postForm(`${f.url}/token`, {
      grant_type: 'refresh_token',
      refresh_token: token,
      client_id: clientId,
      ...extra,
    });

  it('rotates: a new pair each time, the old refresh token works once', async () => {
    const first = await tokensFor();
    const second = await refresh(first.clientId, String(first.json.refresh_token));
    expect(second.status).toBe(200);
    expect(second.json.refresh_token).not.toBe(first.json.refresh_token);
    expect(second.json.access_token).not.toBe(first.json.access_token);
    const third = await refresh(first.clientId, String(second.json.refresh_token));
    expect(third.status).toBe(200);
  });

  it('reusing a used refresh token after the grace window revokes the whole family', async () => {
    const first = await tokensFor();
    const second = await refresh(first.clientId, String(first.json.refresh_token));
    expect(second.status).toBe(200);
    f.clock.now = new Date(f.clock.now.getTime() + REFRESH_REUSE_GRACE_MS + 1);
    const reuse = await refresh(first.clientId, String(first.json.refresh_token));
    expect(reuse.status).toBe(400);
    expect(reuse.json.error).toBe('invalid_grant');
    // Everything of the family is gone: both access tokens and the newest refresh token.
    expect(await f.storage.findSession(String(first.json.access_token))).toBeNull();
    expect(await f.storage.findSession(String(second.json.access_token))).toBeNull();
    const newest = await refresh(first.clientId, String(second.json.refresh_token));
    expect(newest.json.error).toBe('invalid_grant');
  });

  it('a second refresh within the grace window (a retry, two tabs) gets a pair too', async () => {
    const first = await tokensFor();
    const token = String(first.json.refresh_token);
    const [a, b] = await Promise.all([
      refresh(first.clientId, token),
      refresh(first.clientId, token),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    f.clock.now = new Date(f.clock.now.getTime() + REFRESH_REUSE_GRACE_MS - 1000);
    const c = await refresh(first.clientId, token);
    expect(c.status).toBe(200);
    for (const pair of [a, b, c]) {
      expect(await f.storage.findSession(String(pair.json.access_token))).not.toBeNull();
      const next = await refresh(first.clientId, String(pair.json.refresh_token));
      expect(next.status).toBe(200);
    }
  });

  it.each([
    ['a wider scope', { scope: 'airtable:write admin' }, 'invalid_scope'],
    ['another resource', { resource: 'https://other.example/mcp' }, 'invalid_target'],
  ])('a refresh refused for %s leaves the token usable', async (_label, extra, error) => {
    const { clientId, code, verifier } = await obtainCode(f, { scope: 'airtable:read' });
    const first = await exchangeCode(f, { code, code_verifier: verifier, client_id: clientId });
    const token = String(first.json.refresh_token);
    const bad = await refresh(clientId, token, extra);
    expect(bad.json.error).toBe(error);
    const good = await refresh(clientId, token);
    expect(good.status).toBe(200);
    expect(await f.storage.findSession(String(first.json.access_token))).not.toBeNull();
  });

  it('a refresh by another client is refused and leaves the token usable', async () => {
    const first = await tokensFor();
    const { clientId: other } = await registerClient(f);
    const bad = await refresh(other, String(first.json.refresh_token));
    expect(bad.json.error).toBe('invalid_grant');
    expect((await refresh(first.clientId, String(first.json.refresh_token))).status).toBe(200);
  });

  it('narrows the scope of the new access token only; widening is invalid_scope', async () => {
    const first = await tokensFor({});
    const narrow = await refresh(first.clientId, String(first.json.refresh_token), {
      scope: 'airtable:read',
    });
    expect(narrow.status).toBe(200);
    expect(narrow.json.scope).toBe('airtable:read');
    const back = await refresh(first.clientId, String(narrow.json.refresh_token));
    expect(back.json.scope).toBe('airtable:read airtable:write');

    const { clientId, code, verifier } = await obtainCode(f, { scope: 'airtable:read' });
    const readOnly = await exchangeCode(f, { code, code_verifier: verifier, client_id: clientId });
    const widen = await refresh(clientId, String(readOnly.json.refresh_token), {
      scope: 'airtable:write',
    });
    expect(widen.json.error).toBe('invalid_scope');
  });

  it('a refresh token of another client is invalid_grant', async () => {
    const first = await tokensFor();
    const { clientId: other } = await registerClient(f);
    const bad = await refresh(other, String(first.json.refresh_token));
    expect(bad.json.error).toBe('invalid_grant');
  });

  it('a wrong resource is invalid_target', async () => {
    const first = await tokensFor();
    const bad = await refresh(first.clientId, String(first.json.refresh_token), {
      resource: 'https://other.example/mcp',
    });
    expect(bad.json.error).toBe('invalid_target');
  });

  it('ends the grant when the Airtable credential behind it is dead', async () => {
    const first = await tokensFor();
    const session = await f.storage.findSession(String(first.json.access_token));
    await f.storage.markUserTokenDead(sessionCredential(session!));
    try {
      const bad = await refresh(first.clientId, String(first.json.refresh_token));
      expect(bad.json.error).toBe('invalid_grant');
      expect(await f.storage.findSession(String(first.json.access_token))).toBeNull();
    } finally {
      await signIn(f, session!.userId);
    }
  });

  it('an expired refresh token (30 days) is invalid_grant', async () => {
    const first = await tokensFor();
    f.clock.now = new Date(f.clock.now.getTime() + 31 * 86_400_000);
    try {
      const bad = await refresh(first.clientId, String(first.json.refresh_token));
      expect(bad.json.error).toBe('invalid_grant');
    } finally {
      f.clock.now = new Date();
    }
  });

  it('stores the refresh token under its keyed hash', async () => {
    const first = await tokensFor();
    const hash = keyedHash(
      f.deps.config.secretKey,
      'oauth-refresh-token',
      String(first.json.refresh_token),
    );
    expect(f.store.refreshTokens.get(hash)?.data.clientId).toBe(first.clientId);
  });
});

describe('bodies already parsed by the host app', () => {
  it('works with express.urlencoded() in front', async () => {
    const g = await startFixture({ preParse: true });
    try {
      const { clientId, code, verifier } = await obtainCode(g);
      const ok = await exchangeCode(g, { code, code_verifier: verifier, client_id: clientId });
      expect(ok.status).toBe(200);
    } finally {
      await g.close();
    }
  });
});
