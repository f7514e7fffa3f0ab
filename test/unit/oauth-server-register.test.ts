/** RFC 7591 Dynamic Client Registration: validation, secrets stored hashed, per-IP rate limit. */
import { keyedHash } from '../../cloud/crypto/keyed-hash';
import {
  authorizeUrl,
  decide,
  exchangeCode,
  getAuthorize,
  obtainCode,
  openConsent,
  pkcePair,
  postForm,
  postJson,
  REDIRECT,
  registerClient,
  signIn,
  startFixture,
  type Fixture,
} from './oauth-server-fixture';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture({ rateLimits: { registrations: 1000, authorizations: 1000 } });
});
afterAll(() => f.close());

const register = (body: unknown) => postJson(`${f.url}/register`, body);

describe('RFC 7591 section 3.2.1: successful registration', () => {
  it('registers a public client without a secret', async () => {
    const { status, json, res } = await register({
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'none',
      client_name: 'Inspector',
      grant_types: ['authorization_code', 'refresh_token'],
    });
    expect(status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(json).toMatchObject({
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'none',
      client_name: 'Inspector',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    });
    expect(json.client_id).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(typeof json.client_id_issued_at).toBe('number');
    expect(json.client_secret).toBeUndefined();
    const stored = await f.store.getClient(String(json.client_id));
    expect(stored?.secretHash).toBeUndefined();
    // A registration nobody uses lives 24 hours (Claude registers anew on every connection).
    const hours = (stored!.expiresAt.getTime() - f.clock.now.getTime()) / 3_600_000;
    expect(Math.round(hours)).toBe(24);
  });

  it('defaults to client_secret_basic and stores only the secret hash', async () => {
    const { status, json } = await register({ redirect_uris: [REDIRECT] });
    expect(status).toBe(201);
    expect(json.token_endpoint_auth_method).toBe('client_secret_basic');
    expect(json.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(json.client_secret_expires_at).toBe(0);
    const stored = await f.store.getClient(String(json.client_id));
    expect(stored?.secretHash).toBe(
      keyedHash(f.deps.config.secretKey, 'oauth-client-secret', String(json.client_secret)),
    );
    expect(JSON.stringify([...f.store.clients.values()])).not.toContain(String(json.client_secret));
  });

  it.each([
    'http://localhost:3000/callback',
    'http://127.0.0.1:33418/',
    'http://[::1]:8080/cb',
    'https://claude.ai/api/mcp/auth_callback',
    // RFC 8252 section 7.1: private-use schemes of native apps (Cursor, VS Code, reverse-domain).
    'cursor://anysphere.cursor-mcp/oauth/callback',
    'vscode://vscode.github-authentication/did-authenticate',
    'com.example.app:/oauth2redirect',
  ])('accepts %s', async (uri) => {
    const { status } = await register({ redirect_uris: [uri], token_endpoint_auth_method: 'none' });
    expect(status).toBe(201);
  });

  it('keeps only known scopes', async () => {
    const { json } = await register({
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'none',
      scope: 'openid airtable:read profile',
    });
    expect(json.scope).toBe('airtable:read');
  });

  it('accepts a registration even when a body parser already ran', async () => {
    const g = await startFixture({ preParse: true });
    try {
      const { status } = await postJson(`${g.url}/register`, {
        redirect_uris: [REDIRECT],
        token_endpoint_auth_method: 'none',
      });
      expect(status).toBe(201);
    } finally {
      await g.close();
    }
  });
});

describe('RFC 7591 section 3.2.2: invalid_redirect_uri', () => {
  it.each([
    ['http on a public host', 'http://client.example.com/cb'],
    ['a fragment', 'https://client.example.com/cb#frag'],
    ['a javascript: URI', 'javascript:alert(1)'],
    ['a data: URI', 'data:text/html,<script>alert(1)</script>'],
    ['a file: URI', 'file:///etc/passwd'],
    ['a vbscript: URI', 'vbscript:msgbox(1)'],
    ['a blob: URI', 'blob:https://client.example.com/1234'],
    ['an about: URI', 'about:blank'],
    ['a custom scheme with credentials', 'myapp://user:pw@callback'],
    ['a malformed scheme', '1app://callback'],
    ['a relative URI', '/callback'],
    ['credentials', 'https://user:pw@client.example.com/cb'],
    ['http on a host that merely starts with localhost', 'http://localhost.evil.example/cb'],
  ])('refuses %s', async (_label, uri) => {
    const { status, json } = await register({ redirect_uris: [uri] });
    expect(status).toBe(400);
    expect(json.error).toBe('invalid_redirect_uri');
  });

  it('refuses a missing or empty list', async () => {
    expect((await register({})).json.error).toBe('invalid_redirect_uri');
    expect((await register({ redirect_uris: [] })).json.error).toBe('invalid_redirect_uri');
  });
});

describe('invalid_client_metadata', () => {
  it.each([
    ['an unsupported auth method', { token_endpoint_auth_method: 'private_key_jwt' }],
    ['an unsupported grant type', { grant_types: ['client_credentials'] }],
    ['grant types without authorization_code', { grant_types: ['refresh_token'] }],
    ['an implicit response type', { response_types: ['token'] }],
    ['a non-string client_name', { client_name: 42 }],
  ])('refuses %s', async (_label, extra) => {
    const { status, json } = await register({ redirect_uris: [REDIRECT], ...extra });
    expect(status).toBe(400);
    expect(json.error).toBe('invalid_client_metadata');
  });

  it('refuses a body that is not a JSON object', async () => {
    const { status, json } = await register(['a']);
    expect(status).toBe(400);
    expect(json.error).toBe('invalid_client_metadata');
  });
});

describe('rate limit', () => {
  it('answers 429 too_many_requests past the per-IP limit', async () => {
    const g = await startFixture({ rateLimits: { registrations: 2 } });
    try {
      const body = { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' };
      expect((await postJson(`${g.url}/register`, body)).status).toBe(201);
      expect((await postJson(`${g.url}/register`, body)).status).toBe(201);
      const third = await postJson(`${g.url}/register`, body);
      expect(third.status).toBe(429);
      expect(third.json.error).toBe('too_many_requests');
      expect(third.res.headers.get('cache-control')).toBe('no-store');
    } finally {
      await g.close();
    }
  });
});

// Cursor's dynamic registration sends these three at once (platform-facts.md, "Clients as they
// really behave"); refusing any one failed the whole registration.
describe('a Cursor-shaped registration', () => {
  const CURSOR = [
    'cursor://anysphere.cursor-mcp/oauth/callback',
    'https://www.cursor.com/agents/mcp/oauth/callback',
    'http://localhost:8787/callback',
  ];

  it('gets 201 and completes the authorization code flow with each of its redirect URIs', async () => {
    const { status, json } = await register({
      client_name: 'Cursor',
      redirect_uris: CURSOR,
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    });
    expect(status).toBe(201);
    expect(json.redirect_uris).toEqual(CURSOR);
    const clientId = String(json.client_id);
    for (const redirect of [...CURSOR, 'http://localhost:51234/callback']) {
      const { verifier, challenge } = pkcePair();
      const session = await signIn(f);
      const { consent, cookie, html } = await openConsent(
        f,
        {
          response_type: 'code',
          client_id: clientId,
          redirect_uri: redirect,
          code_challenge: challenge,
          code_challenge_method: 'S256',
          state: 'cursor-state',
        },
        session,
      );
      if (redirect.startsWith('cursor:'))
        expect(html).toContain('An application on your computer that handles');
      if (redirect.startsWith('http:')) expect(html).toContain('running on your own computer');
      const answer = await decide(f, consent, cookie, 'approve');
      expect(answer.status).toBe(303);
      const landing = answer.res.headers.get('location')!;
      expect(landing.startsWith(`${redirect}?`)).toBe(true);
      const code = new URL(landing).searchParams.get('code')!;
      const tokens = await exchangeCode(f, {
        code,
        code_verifier: verifier,
        client_id: clientId,
        redirect_uri: redirect,
      });
      expect(tokens.status).toBe(200);
    }
  });

  it('matches loopback redirect URIs ignoring the port only (RFC 8252 section 7.3)', async () => {
    const { json } = await register({
      redirect_uris: ['http://localhost:8787/callback'],
      token_endpoint_auth_method: 'none',
    });
    const open = (redirect_uri: string) =>
      getAuthorize(
        authorizeUrl(f, {
          response_type: 'code',
          client_id: String(json.client_id),
          redirect_uri,
          code_challenge: pkcePair().challenge,
          code_challenge_method: 'S256',
        }),
      );
    expect((await open('http://localhost:40123/callback')).status).toBe(200);
    expect((await open('http://localhost/callback')).status).toBe(200);
    expect((await open('http://localhost:40123/other')).status).toBe(400);
    expect((await open('http://127.0.0.1:8787/callback')).status).toBe(400);
    expect((await open('https://localhost:8787/callback')).status).toBe(400);
  });
});

describe('registration hygiene', () => {
  it('an unused registration expires after 24 hours; then /token answers 401 invalid_client', async () => {
    const g = await startFixture();
    try {
      const { clientId } = await registerClient(g);
      const { verifier } = pkcePair();
      g.clock.now = new Date(g.clock.now.getTime() + 24 * 3600_000 + 1000);
      const token = await postForm(`${g.url}/token`, {
        grant_type: 'authorization_code',
        code: 'x'.repeat(43),
        code_verifier: verifier,
        client_id: clientId,
      });
      expect(token.status).toBe(401);
      expect(token.json.error).toBe('invalid_client'); // Claude then registers again
    } finally {
      await g.close();
    }
  });

  it('its first token gives a client the 90-day idle lifetime, renewed by use', async () => {
    const g = await startFixture();
    try {
      const { clientId, code, verifier } = await obtainCode(g);
      const first = await exchangeCode(g, { code, code_verifier: verifier, client_id: clientId });
      expect(first.status).toBe(200);
      const stored = await g.store.getClient(clientId);
      const days = (stored!.expiresAt.getTime() - g.clock.now.getTime()) / 86_400_000;
      expect(Math.round(days)).toBe(90);
      g.clock.now = new Date(g.clock.now.getTime() + 30 * 86_400_000);
      const refreshed = await postForm(`${g.url}/token`, {
        grant_type: 'refresh_token',
        refresh_token: String(first.json.refresh_token),
        client_id: clientId,
      });
      expect(refreshed.status).toBe(400); // the refresh token itself lasts 30 days
      expect((await g.store.getClient(clientId))?.clientId).toBe(clientId);
      g.clock.now = new Date(g.clock.now.getTime() + 61 * 86_400_000);
      expect(await g.store.getClient(clientId)).toBeNull();
    } finally {
      await g.close();
    }
  });
});
