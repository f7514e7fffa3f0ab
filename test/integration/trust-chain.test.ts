/**
 * The sign-in chain bound end to end (issue: trust chain), with two browsers (two cookie jars)
 * where it matters, against the running bundle:
 * - a cross-site form cannot sign a browser in (login CSRF) or out;
 * - an MCP access token is accepted at /mcp only, never by session management;
 * - every connection keeps the credential it was made with: a PAT session stays a PAT session
 *   when the same person also signs in with OAuth, and the reverse; logging one out leaves the
 *   other working; "sign out everywhere" ends all;
 * - connections written by the earlier one-row-per-user layout keep working.
 */
import { keyedHash, randomSecret } from '../../cloud/crypto/keyed-hash';
import { encryptCredential } from '../../cloud/storage/codec';
import { harness, parseRest } from '../harness/env';
import { fakeAdmin, oauthCallbackUrl, sessionFromPat, userWithPat } from '../helpers/airtable';
import { TestBrowser } from '../helpers/browser';
import { callTool, mcpPost } from '../helpers/mcp';
import { sdkTokens } from './oauth-e2e-helpers';

const h = harness();
const master = { 'X-Parse-Master-Key': h.masterKey };

async function rows(className: string, where: Record<string, unknown>) {
  const q = encodeURIComponent(JSON.stringify(where));
  const res = await parseRest('GET', `classes/${className}?where=${q}&limit=100`, master);
  return res.json.results as Record<string, unknown>[];
}

async function whoami(token: string) {
  const result = await callTool(token, 'whoami');
  if (result.isError) throw new Error(`whoami failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as { connection: string; airtableUserId: string };
}

/** Signs `userId` in with Airtable in `browser`; returns the session id. */
async function oauthSignIn(userId: string, browser = new TestBrowser()): Promise<string> {
  const callback = await oauthCallbackUrl(userId, 'claude', browser);
  const res = await browser.fetch(callback, { headers: { Accept: 'application/json' } });
  expect(res.status).toBe(200);
  return (JSON.parse(res.text) as { session_id: string }).session_id;
}

describe('cross-site requests that would change a browser session are refused', () => {
  const evil = {
    Origin: 'https://evil.example',
    'Sec-Fetch-Site': 'cross-site',
    'Sec-Fetch-Mode': 'navigate',
    'Content-Type': 'application/x-www-form-urlencoded',
    Accept: 'text/html',
  };

  it('a cross-site form posting a PAT to /api/auth/direct signs nobody in', async () => {
    const attacker = await userWithPat();
    const victim = new TestBrowser();
    for (const headers of [
      evil,
      { ...evil, 'Sec-Fetch-Site': 'same-site' }, // another app on the same parent domain
      { Origin: 'https://evil.example', 'Content-Type': 'application/x-www-form-urlencoded' }, // no Fetch Metadata
      { Origin: 'null', 'Content-Type': 'application/x-www-form-urlencoded' }, // sandboxed frame
    ]) {
      const res = await victim.fetch(`${h.baseUrl}/api/auth/direct`, {
        method: 'POST',
        headers,
        body: `api_key=${encodeURIComponent(attacker.pat)}&platform=other`,
      });
      expect(res.status).toBe(403);
      expect(res.text).toMatch(/other sites are refused/);
      expect(res.headers.getSetCookie()).toEqual([]);
    }
    expect(await victim.cookie(h.baseUrl, 'session_id')).toBeUndefined();
    expect(await rows('UserToken', { user_id: attacker.userId })).toHaveLength(0);
  });

  it('our own form (same-origin, Origin: null under no-referrer) and API clients still sign in', async () => {
    const person = await userWithPat();
    const browser = new TestBrowser();
    const page = await browser.submit(`${h.baseUrl}/api/auth/direct`, {
      api_key: person.pat,
      platform: 'other',
    });
    expect(page.status).toBe(200);
    expect(await browser.cookie(h.baseUrl, 'session_id')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(typeof (await sessionFromPat(person.pat))).toBe('string'); // no Origin: an API client
  });

  it('a cross-site logout is refused and the session keeps working', async () => {
    const person = await userWithPat();
    const session = await sessionFromPat(person.pat);
    const res = await fetch(`${h.baseUrl}/auth/logout?all=true`, {
      method: 'POST',
      headers: { ...evil, Authorization: `Bearer ${session}` },
    });
    expect(res.status).toBe(403);
    expect((await whoami(session)).connection).toBe('pat');
  });
});

describe('an MCP access token works at /mcp only', () => {
  it('session management answers 401 to it and changes nothing', async () => {
    const user = await fakeAdmin().createUser({});
    const { tokens } = await sdkTokens(`${h.baseUrl}/mcp`, user.id, 'airtable:read');
    const bearer = { Authorization: `Bearer ${tokens.access_token}` };
    const logout = await fetch(`${h.baseUrl}/auth/logout?all=true`, {
      method: 'POST',
      headers: bearer,
    });
    expect(logout.status).toBe(401);
    expect(((await logout.json()) as { error_description: string }).error_description).toMatch(
      /only accepted at \/mcp/,
    );
    const me = await fetch(`${h.baseUrl}/api/auth/session`, { headers: bearer });
    expect(me.status).toBe(401);
    // Nothing was ended: the token, the grant and the stored credential all still work.
    expect((await whoami(tokens.access_token)).airtableUserId).toBe(user.id);
    expect(await rows('UserToken', { user_id: user.id })).toHaveLength(1);
  });
});

describe('one credential per connection', () => {
  it('a PAT session stays a PAT session after the same person signs in with OAuth, and the reverse', async () => {
    const person = await userWithPat(); // PAT with the comment scopes; OAuth grants fewer
    const patSession = await sessionFromPat(person.pat);
    expect((await whoami(patSession)).connection).toBe('pat');
    const oauthSession = await oauthSignIn(person.userId);
    expect((await whoami(oauthSession)).connection).toBe('oauth');
    expect((await whoami(patSession)).connection).toBe('pat');
    // The PAT session still has the PAT's own scopes (comments), which the OAuth grant lacks.
    const me = await fetch(`${h.baseUrl}/api/auth/session`, {
      headers: { Authorization: `Bearer ${patSession}` },
    });
    expect(((await me.json()) as { kind: string }).kind).toBe('pat');
    const again = await sessionFromPat(person.pat); // and a PAT sign-in after OAuth
    expect((await whoami(oauthSession)).connection).toBe('oauth');
    expect((await whoami(again)).connection).toBe('pat');
    expect(await rows('UserToken', { user_id: person.userId })).toHaveLength(3);
  });

  it('logging one connection out removes only its own credential; everywhere removes all', async () => {
    const person = await userWithPat();
    const patSession = await sessionFromPat(person.pat);
    const oauthSession = await oauthSignIn(person.userId);
    const out = await fetch(`${h.baseUrl}/auth/logout`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${oauthSession}` },
    });
    expect(out.status).toBe(200);
    expect(await out.json()).toEqual({ revoked_sessions: 1, airtable_tokens_deleted: true });
    expect((await whoami(patSession)).connection).toBe('pat');
    const left = await rows('UserToken', { user_id: person.userId });
    expect(left.map((r) => r.kind)).toEqual(['pat']);

    const another = await oauthSignIn(person.userId);
    const all = await fetch(`${h.baseUrl}/auth/logout?all=true`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${patSession}` },
    });
    expect(all.status).toBe(200);
    expect(await rows('UserToken', { user_id: person.userId })).toHaveLength(0);
    for (const s of [patSession, another])
      expect((await mcpPost(s, { jsonrpc: '2.0', id: 1, method: 'ping' })).status).toBe(401);
  });

  it('logout keeps a credential that an OAuth grant approved from that browser still uses', async () => {
    const person = await userWithPat();
    const browser = new TestBrowser();
    const page = await browser.submit(`${h.baseUrl}/api/auth/direct`, {
      api_key: person.pat,
      platform: 'other',
    });
    expect(page.status).toBe(200);
    // The signed-in browser approves an MCP client: the grant uses the PAT session's credential.
    const { tokens } = await sdkTokens(`${h.baseUrl}/mcp`, person.userId, undefined, browser);
    expect((await whoami(tokens.access_token)).connection).toBe('pat');
    const out = await browser.fetch(`${h.baseUrl}/auth/logout`, {
      method: 'POST',
      headers: { 'Sec-Fetch-Site': 'same-origin' },
    });
    expect(out.status).toBe(200);
    expect(JSON.parse(out.text)).toMatchObject({ airtable_tokens_deleted: false });
    expect((await whoami(tokens.access_token)).connection).toBe('pat');
  });
});

describe('connections made before per-connection credentials', () => {
  it('a session and credential written by the earlier layout keep working', async () => {
    const person = await userWithPat();
    // What the earlier code wrote: one UserToken row per user (no per_connection), and a session
    // whose data names no credential.
    const created = await parseRest('POST', 'classes/UserToken', master, {
      user_id: person.userId,
      tokens: encryptCredential(
        { kind: 'pat', accessToken: person.pat, scope: '' },
        h.encryptionKey,
      ),
      kind: 'pat',
      scope: '',
      status: 'active',
      refresh_claim: 0,
      expires_at: { __type: 'Date', iso: new Date(Date.now() + 86400_000).toISOString() },
    });
    expect(created.status).toBe(201);
    const secret = randomSecret(32);
    const session = await parseRest('POST', 'classes/UserSession', master, {
      session_id: keyedHash(h.secretKey, 'session', secret),
      user_id: person.userId,
      data: JSON.stringify({ platform: 'claude', kind: 'session' }),
      expires_at: { __type: 'Date', iso: new Date(Date.now() + 86400_000).toISOString() },
    });
    expect(session.status).toBe(201);
    expect((await whoami(secret)).connection).toBe('pat');
    // A new OAuth sign-in of the same person neither replaces nor is replaced by the legacy row.
    const fresh = await oauthSignIn(person.userId);
    expect((await whoami(fresh)).connection).toBe('oauth');
    expect((await whoami(secret)).connection).toBe('pat');
  });
});
