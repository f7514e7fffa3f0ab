/**
 * GET /authorize: RFC 6749 section 4.1.2.1 - errors are shown on a page until the client and its
 * exact redirect URI are known, and redirected (with state and RFC 9207 iss) afterwards.
 */
import {
  authorizeUrl,
  getAuthorize,
  openConsent,
  pkcePair,
  REDIRECT,
  registerClient,
  RESOURCE,
  startFixture,
  type Fixture,
} from './oauth-server-fixture';

let f: Fixture;
let clientId: string;
const { challenge } = pkcePair();

beforeAll(async () => {
  f = await startFixture();
  clientId = (await registerClient(f)).clientId;
});
afterAll(() => f.close());

function good(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    client_id: clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'xyz',
    resource: RESOURCE,
    ...extra,
  };
}

describe('errors before the redirect URI is trusted are shown, never redirected', () => {
  it.each([
    ['no client_id', { client_id: undefined }, 'client_id is required'],
    [
      'an unknown client_id',
      { client_id: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
      'Unknown client_id',
    ],
    ['no redirect_uri', { redirect_uri: undefined }, 'redirect_uri is required'],
    [
      'an unregistered redirect_uri',
      { redirect_uri: 'https://attacker.example/cb' },
      'does not exactly match',
    ],
    [
      'a redirect_uri that only shares a prefix',
      { redirect_uri: `${REDIRECT}/../evil` },
      'does not exactly match',
    ],
  ])('%s', async (_label, extra, message) => {
    const page = await getAuthorize(authorizeUrl(f, good(extra)));
    expect(page.status).toBe(400);
    expect(page.location).toBeNull();
    expect(page.res.headers.get('content-type')).toContain('text/html');
    expect(page.res.headers.get('cache-control')).toBe('no-store');
    expect(page.text).toContain(message);
  });

  it('a repeated client_id', async () => {
    const url = `${authorizeUrl(f, good())}&client_id=${clientId}`;
    const page = await getAuthorize(url);
    expect(page.status).toBe(400);
    expect(page.location).toBeNull();
  });
});

// RFC 9700 section 4.11.2: every client here registered itself (DCR) or describes itself (CIMD),
// so before the person interacts its redirect URI is unverified and errors are never redirected
// there - otherwise anyone could mint an open redirector on this server.
describe('errors before the person interacts are shown, never redirected', () => {
  it.each([
    ['no response_type', { response_type: undefined }, 'invalid_request'],
    ['response_type=token', { response_type: 'token' }, 'unsupported_response_type'],
    ['no code_challenge', { code_challenge: undefined }, 'invalid_request'],
    ['code_challenge_method=plain', { code_challenge_method: 'plain' }, 'invalid_request'],
    [
      'no code_challenge_method (plain by default)',
      { code_challenge_method: undefined },
      'invalid_request',
    ],
    ['a malformed code_challenge', { code_challenge: 'short' }, 'invalid_request'],
    ['another resource (RFC 8707)', { resource: 'https://other.example/mcp' }, 'invalid_target'],
    ['an unknown scope', { scope: 'airtable:read admin' }, 'invalid_scope'],
  ])('%s', async (_label, extra, error) => {
    const page = await getAuthorize(authorizeUrl(f, good(extra)));
    expect(page.status).toBe(400);
    expect(page.location).toBeNull();
    expect(page.res.headers.get('content-type')).toContain('text/html');
    expect(page.res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.text).toContain(error);
    expect(page.text).not.toContain(REDIRECT);
  });

  it('a repeated parameter is invalid_request, shown', async () => {
    const page = await getAuthorize(`${authorizeUrl(f, good())}&state=again`);
    expect(page.status).toBe(400);
    expect(page.location).toBeNull();
    expect(page.text).toContain('invalid_request');
  });
});

describe('the consent page', () => {
  it('names the client and, prominently, the redirect host', async () => {
    const { html } = await openConsent(f, good());
    expect(html).toContain('Test Client');
    expect(html).toContain('<b>client.example.com</b>');
    expect(html).toContain('airtable:read');
    expect(html).toContain('airtable:write');
    expect(html).toContain('action="/authorize/decision"');
  });

  it('escapes a hostile client name', async () => {
    const { clientId: id } = await registerClient(f, {
      client_name: '<script>alert(1)</script>"><img src=x>',
    });
    const { html } = await openConsent(f, good({ client_id: id }));
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x>');
    expect(html).toContain('&lt;script&gt;');
  });

  it('cannot be framed or cached, and sets the HttpOnly browser-binding cookie', async () => {
    const page = await getAuthorize(authorizeUrl(f, good()));
    expect(page.status).toBe(200);
    expect(page.res.headers.get('x-frame-options')).toBe('DENY');
    expect(page.res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.res.headers.get('cache-control')).toBe('no-store');
    const cookie = page.res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^signin_browser=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Path=/;'); // the Airtable callback checks it too
    expect(cookie).toContain('Secure'); // PUBLIC_URL is https
  });

  it('asks for every scope when the client sends none (ChatGPT)', async () => {
    await openConsent(f, good({ scope: undefined }));
    const consent = [...f.store.consents.values()].at(-1)!;
    expect(consent.data.request.scopes).toEqual(['airtable:read', 'airtable:write']);
  });

  it('asks only for the requested scope', async () => {
    await openConsent(f, good({ scope: 'airtable:read' }));
    const consent = [...f.store.consents.values()].at(-1)!;
    expect(consent.data.request.scopes).toEqual(['airtable:read']);
  });

  it('accepts the resource with a trailing slash and stores the canonical one', async () => {
    await openConsent(f, good({ resource: `${RESOURCE}/` }));
    const consent = [...f.store.consents.values()].at(-1)!;
    expect(consent.data.request.resource).toBe(RESOURCE);
  });

  it('limits a client to the scopes it registered', async () => {
    const { clientId: id } = await registerClient(f, { scope: 'airtable:read' });
    const page = await getAuthorize(
      authorizeUrl(f, good({ client_id: id, scope: 'airtable:write' })),
    );
    expect(page.status).toBe(400);
    expect(page.text).toContain('invalid_scope');
    await openConsent(f, good({ client_id: id, scope: undefined }));
    const consent = [...f.store.consents.values()].at(-1)!;
    expect(consent.data.request.scopes).toEqual(['airtable:read']);
  });

  it('is rate limited per IP with an HTML answer', async () => {
    const g = await startFixture({ rateLimits: { authorizations: 1 } });
    try {
      await getAuthorize(`${g.url}/authorize`);
      const second = await getAuthorize(`${g.url}/authorize`);
      expect(second.status).toBe(429);
      expect(second.res.headers.get('content-type')).toContain('text/html');
    } finally {
      await g.close();
    }
  });
});
