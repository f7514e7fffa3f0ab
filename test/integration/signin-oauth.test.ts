/**
 * The seed's Airtable OAuth flow against the strict fake: PKCE S256 and Basic client auth exactly
 * as Airtable wants them (the fake refuses anything else), tokens stored only as ciphertext,
 * single-use state, Airtable's error callbacks explained.
 */
import { decrypt } from '../../cloud/crypto/fernet';
import { harness, parseRest } from '../harness/env';
import { fakeAdmin, oauthCallbackUrl, uniqueUserId } from '../helpers/airtable';
import { TestBrowser } from '../helpers/browser';

const h = harness();
const master = { 'X-Parse-Master-Key': h.masterKey };

async function userTokenRow(userId: string): Promise<Record<string, unknown> | undefined> {
  const where = encodeURIComponent(JSON.stringify({ user_id: userId }));
  const { json } = await parseRest('GET', `classes/UserToken?where=${where}`, master);
  return (json.results as Record<string, unknown>[])[0];
}

describe('GET /auth/authorize', () => {
  it('redirects to Airtable with PKCE S256, the configured redirect URI, scopes and a long random state', async () => {
    const res = await fetch(`${h.baseUrl}/auth/authorize?platform=claude`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const url = new URL(res.headers.get('location')!);
    expect(`${url.origin}${url.pathname}`).toBe(`${h.fakeAirtableUrl}/oauth2/v1/authorize`);
    const p = url.searchParams;
    expect(p.get('client_id')).toBe(process.env.AIRTABLE_CLIENT_ID);
    expect(p.get('redirect_uri')).toBe(`${h.baseUrl}/auth/callback`);
    expect(p.get('response_type')).toBe('code');
    expect(p.get('scope')).toBe('data.records:read data.records:write schema.bases:read');
    expect(p.get('code_challenge_method')).toBe('S256');
    expect(p.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.get('state')).toMatch(/^[A-Za-z0-9_-]{43,}$/);
  });

  it('refuses a malformed platform with 400', async () => {
    const res = await fetch(`${h.baseUrl}/auth/authorize?platform=%3Cscript%3E`, {
      redirect: 'manual',
    });
    expect(res.status).toBe(400);
  });
});

describe('GET /auth/callback', () => {
  it('stores only ciphertext, creates a working session, sets the cookie, and refuses a replay', async () => {
    const user = await fakeAdmin().createUser({ id: uniqueUserId(), email: 'ada@example.com' });
    const browser = new TestBrowser();
    const callback = await oauthCallbackUrl(user.id, 'chatgpt', browser);
    const res = await browser.fetch(callback, { headers: { Accept: 'application/json' } });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text) as Record<string, string>;
    expect(body.user_id).toBe(user.id);
    expect(body.mcp_url).toBe(`${h.baseUrl}/mcp`);
    expect(body.session_id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('session_id='))!;
    expect(cookie).toMatch(/^session_id=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);

    const row = (await userTokenRow(user.id))!;
    expect(row.kind).toBe('oauth');
    const stored = String(row.tokens);
    const grants = await fakeAdmin().listGrants(user.id);
    expect(grants.grants.length).toBe(1);
    expect(stored).not.toMatch(/access|refresh/i);
    const plain = JSON.parse(decrypt(stored, h.encryptionKey)) as Record<string, string>;
    expect(plain.kind).toBe('oauth');
    expect(stored).not.toContain(plain.accessToken);
    expect(stored).not.toContain(plain.refreshToken);

    // the session id itself is not stored in the clear
    const sessions = await parseRest(
      'GET',
      `classes/UserSession?where=${encodeURIComponent(JSON.stringify({ user_id: user.id }))}`,
      master,
    );
    const sessionRows = sessions.json.results as Record<string, unknown>[];
    expect(sessionRows).toHaveLength(1);
    expect(JSON.stringify(sessionRows)).not.toContain(body.session_id);

    const me = await fetch(`${h.baseUrl}/api/auth/session`, {
      headers: { Authorization: `Bearer ${body.session_id}` },
    });
    expect(me.status).toBe(200);
    const meBody = (await me.json()) as Record<string, unknown>;
    expect(meBody.user_id).toBe(user.id);
    expect(meBody.platform).toBe('chatgpt');
    expect(JSON.stringify(meBody)).not.toContain(plain.accessToken);

    const replay = await browser.fetch(callback, { headers: { Accept: 'application/json' } });
    expect(replay.status).toBe(400);
    expect((JSON.parse(replay.text) as Record<string, string>).error).toBe('invalid_state');
  });

  it('shows a real page with the session id once and setup for every client', async () => {
    const user = await fakeAdmin().createUser({ id: uniqueUserId() });
    const browser = new TestBrowser();
    const res = await browser.fetch(await oauthCallbackUrl(user.id, 'chatgpt', browser), {
      headers: { Accept: 'text/html' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = res.text;
    expect(html).toContain(user.id);
    expect(html).toContain(`${h.baseUrl}/mcp`);
    for (const client of ['ChatGPT', 'Claude', 'Cursor', 'MCP Inspector'])
      expect(html).toContain(client);
    expect(html).toMatch(/id="session-id">[A-Za-z0-9_-]{43}</);
  });

  it('lets exactly one of two concurrent uses of a state win', async () => {
    const user = await fakeAdmin().createUser({ id: uniqueUserId() });
    const browser = new TestBrowser();
    const callback = await oauthCallbackUrl(user.id, 'chatgpt', browser);
    const results = await Promise.all(
      [0, 1].map(() =>
        browser.fetch(callback, { headers: { Accept: 'application/json' } }).then((r) => r.status),
      ),
    );
    expect(results.sort()).toEqual([200, 400]);
  });

  it('answers an unknown or missing state with 400 "Invalid state - start again"', async () => {
    const unknown = await fetch(`${h.baseUrl}/auth/callback?state=${'a'.repeat(43)}&code=x`);
    expect(unknown.status).toBe(400);
    const html = await unknown.text();
    expect(html).toContain('Invalid state - start again');
    expect(html).toContain('/auth/authorize');
    const missing = await fetch(`${h.baseUrl}/auth/callback?code=x`, {
      headers: { Accept: 'application/json' },
    });
    expect(missing.status).toBe(400);
  });

  it('explains access_denied and consumes the state', async () => {
    const user = await fakeAdmin().createUser({ id: uniqueUserId() });
    const browser = new TestBrowser();
    const res = await browser.fetch(`${h.baseUrl}/auth/authorize?platform=cursor`);
    const denied = await fakeAdmin().authorize({
      url: res.location!,
      userId: user.id,
      decision: 'deny',
    });
    if (!denied.ok) throw new Error('fake refused the deny');
    expect(denied.location).toContain('error=access_denied');
    const page = await browser.fetch(denied.location);
    expect(page.status).toBe(403);
    expect(page.text).toContain('You declined the authorization');
    expect((await browser.fetch(denied.location)).status).toBe(400); // state consumed
    expect(await userTokenRow(user.id)).toBeUndefined();
  });

  it('answers 502 without a stack trace when Airtable fails the exchange', async () => {
    const user = await fakeAdmin().createUser({ id: uniqueUserId() });
    const browser = new TestBrowser();
    const callback = await oauthCallbackUrl(user.id, 'chatgpt', browser);
    await fakeAdmin().addFault({ pathPattern: '^/oauth2/v1/token', status: 503, times: 1 });
    const res = await browser.fetch(callback, { headers: { Accept: 'application/json' } });
    expect(res.status).toBe(502);
    const text = res.text;
    expect(text).not.toMatch(/at .*\.js:\d+/);
    expect(await userTokenRow(user.id)).toBeUndefined();
  });

  // RFC 6749 section 10.12 / RFC 9700 section 4.7.1: the state is bound to the browser that
  // started the flow. A link started in one browser and finished in another (an attacker sends
  // the victim their own sign-in link, or the victim's code is sent back to the attacker) issues
  // nothing: no code exchange, no credential, no session, no cookie; and the state is spent.
  it('a callback in a browser that did not start the sign-in issues nothing (two cookie jars)', async () => {
    const user = await fakeAdmin().createUser({ id: uniqueUserId() });
    const starter = new TestBrowser();
    const other = new TestBrowser();
    const callback = await oauthCallbackUrl(user.id, 'chatgpt', starter);
    for (const accept of ['text/html', 'application/json']) {
      const res = await other.fetch(callback, { headers: { Accept: accept } });
      if (accept === 'application/json') {
        expect(res.status).toBe(400); // the first attempt spent the state
        continue;
      }
      expect(res.status).toBe(403);
      expect(res.text).toContain('started in a different browser');
      expect(res.text).toContain('/auth/authorize');
      expect(res.headers.getSetCookie().some((c) => c.startsWith('session_id='))).toBe(false);
    }
    expect(await other.cookie(h.baseUrl, 'session_id')).toBeUndefined();
    expect(await userTokenRow(user.id)).toBeUndefined();
    expect((await fakeAdmin().listGrants(user.id)).grants).toHaveLength(0); // code never exchanged
    // The starter cannot finish it afterwards either: the state is gone.
    expect((await starter.fetch(callback)).status).toBe(400);
  });

  it('two sign-ins started side by side in one browser both complete', async () => {
    const browser = new TestBrowser();
    const a = await fakeAdmin().createUser({ id: uniqueUserId() });
    const b = await fakeAdmin().createUser({ id: uniqueUserId() });
    const first = await oauthCallbackUrl(a.id, 'claude', browser);
    const second = await oauthCallbackUrl(b.id, 'cursor', browser);
    const json = { headers: { Accept: 'application/json' } };
    expect((await browser.fetch(second, json)).status).toBe(200);
    expect((await browser.fetch(first, json)).status).toBe(200);
  });
});
