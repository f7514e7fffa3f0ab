/**
 * POST /authorize/decision: the form token is signed for this browser, bound to one stored
 * request, single use and short-lived; deny -> access_denied; approve -> our code at once when
 * signed in, else the Airtable sign-in carrying the request (finished by completeAuthorization).
 */
import { sessionCredential } from '../../cloud/auth/session-auth';
import { keyedHash } from '../../cloud/crypto/keyed-hash';
import { completeAuthorization } from '../../cloud/oauth-server/grants/complete';
import {
  AIRTABLE_AUTHORIZE,
  decide,
  openConsent,
  pkcePair,
  PUBLIC_URL,
  REDIRECT,
  registerClient,
  RESOURCE,
  signIn,
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

const params = () => ({
  client_id: clientId,
  redirect_uri: REDIRECT,
  response_type: 'code',
  code_challenge: challenge,
  code_challenge_method: 'S256',
  state: 'state-1',
  resource: RESOURCE,
});

function location(res: Response): URL {
  return new URL(res.headers.get('location')!);
}

describe('CSRF protection of the decision', () => {
  it('refuses a form token answered from another browser (other cookie)', async () => {
    const { consent } = await openConsent(f, params());
    const other = await openConsent(f, params());
    const answer = await decide(f, consent, other.cookie, 'approve');
    expect(answer.status).toBe(403);
    expect(answer.res.headers.get('location')).toBeNull();
    expect(f.signIns).toHaveLength(0);
  });

  it('refuses a decision without the browser cookie', async () => {
    const { consent } = await openConsent(f, params());
    const answer = await decide(f, consent, '', 'approve');
    expect(answer.status).toBe(403);
  });

  it('refuses a tampered signature', async () => {
    const { consent, cookie } = await openConsent(f, params());
    const [nonce] = consent.split('.');
    const answer = await decide(f, `${nonce}.${'0'.repeat(64)}`, cookie, 'approve');
    expect(answer.status).toBe(403);
  });

  it('refuses a token signed for this browser but never issued (not stored)', async () => {
    const { cookie } = await openConsent(f, params());
    const browser = cookie.split('=')[1]!;
    const nonce = 'A'.repeat(43);
    const sig = keyedHash(f.deps.config.secretKey, 'oauth-consent-form', `${nonce}.${browser}`);
    const answer = await decide(f, `${nonce}.${sig}`, cookie, 'approve');
    expect(answer.status).toBe(403);
  });

  it('is single use', async () => {
    const { consent, cookie } = await openConsent(f, params());
    expect((await decide(f, consent, cookie, 'deny')).status).toBe(303);
    const again = await decide(f, consent, cookie, 'approve');
    expect(again.status).toBe(403);
    expect(again.text).toContain('already answered');
  });

  it('expires after 10 minutes', async () => {
    const { consent, cookie } = await openConsent(f, params());
    f.clock.now = new Date(f.clock.now.getTime() + 11 * 60 * 1000);
    try {
      expect((await decide(f, consent, cookie, 'approve')).status).toBe(403);
    } finally {
      f.clock.now = new Date();
    }
  });

  it('refuses a cross-site post (Fetch Metadata) and a foreign Origin', async () => {
    const a = await openConsent(f, params());
    const cross = await decide(f, a.consent, a.cookie, 'approve', {
      'Sec-Fetch-Site': 'cross-site',
    });
    expect(cross.status).toBe(403);
    const b = await openConsent(f, params());
    const foreign = await decide(f, b.consent, b.cookie, 'approve', {
      Origin: 'https://evil.example',
    });
    expect(foreign.status).toBe(403);
    // Our own page's post (Origin is "null" under Referrer-Policy no-referrer) is fine.
    const own = await decide(f, b.consent, b.cookie, 'deny', { Origin: 'null' });
    expect(own.status).toBe(303);
  });

  it('refuses an incomplete form', async () => {
    const { consent, cookie } = await openConsent(f, params());
    const res = await fetch(`${f.url}/authorize/decision`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie },
      body: new URLSearchParams({ consent }).toString(),
      redirect: 'manual',
    });
    expect(res.status).toBe(400);
  });
});

describe('deny', () => {
  it('redirects with access_denied, state and iss (RFC 6749 section 4.1.2.1, RFC 9207)', async () => {
    const { consent, cookie } = await openConsent(f, params());
    const answer = await decide(f, consent, cookie, 'deny');
    expect(answer.status).toBe(303);
    const loc = location(answer.res);
    expect(`${loc.origin}${loc.pathname}`).toBe(REDIRECT);
    expect(loc.searchParams.get('error')).toBe('access_denied');
    expect(loc.searchParams.get('state')).toBe('state-1');
    expect(loc.searchParams.get('iss')).toBe(PUBLIC_URL);
  });

  it('keeps a query already present in the registered redirect URI (RFC 6749 section 3.1.2)', async () => {
    const withQuery = 'https://client.example.com/cb?tenant=7';
    const { clientId: id } = await registerClient(f, { redirect_uris: [withQuery] });
    const { consent, cookie } = await openConsent(f, {
      ...params(),
      client_id: id,
      redirect_uri: withQuery,
    });
    const loc = location((await decide(f, consent, cookie, 'deny')).res);
    expect(loc.searchParams.get('tenant')).toBe('7');
    expect(loc.searchParams.get('error')).toBe('access_denied');
  });
});

describe('the account the consent page names', () => {
  it('names the signed-in account and offers another one', async () => {
    const session = await signIn(f, 'usrNamed0000001');
    const { html } = await openConsent(f, params(), session);
    expect(html).toContain('usrNamed0000001');
    expect(html).toContain('Approving connects it to this Airtable account');
    expect(html).toContain('value="approve_other_account"');
    const anonymous = await openConsent(f, params());
    expect(anonymous.html).toContain('Airtable asks you to sign in');
    expect(anonymous.html).not.toContain('approve_other_account');
  });

  it('"Use another Airtable account" goes through the Airtable sign-in', async () => {
    f.signIns.length = 0;
    const session = await signIn(f, 'usrOther0000001');
    const { consent, cookie } = await openConsent(f, params(), session);
    const answer = await decide(f, consent, cookie, 'approve_other_account');
    expect(answer.res.headers.get('location')).toBe(AIRTABLE_AUTHORIZE);
    expect(f.signIns).toHaveLength(1);
  });

  it('issues nothing when the browser signed in to another account after the page was shown', async () => {
    f.signIns.length = 0;
    const codes = f.store.codes.size;
    const shown = await signIn(f, 'usrShown000001');
    const { consent, cookie } = await openConsent(f, params(), shown);
    const swapped = await signIn(f, 'usrAttacker0001'); // e.g. a forged sign-in meanwhile
    const browserCookie = cookie.split('; ').find((c) => c.startsWith('signin_browser='))!;
    const answer = await decide(f, consent, `${swapped}; ${browserCookie}`, 'approve');
    expect(answer.status).toBe(409);
    expect(answer.res.headers.get('location')).toBeNull();
    expect(answer.text).toContain('changed after this page was shown');
    expect(f.signIns).toHaveLength(0);
    expect(f.store.codes.size).toBe(codes);
  });

  it('a page that named no account never silently uses a session that appeared since', async () => {
    f.signIns.length = 0;
    const { consent, cookie } = await openConsent(f, params());
    const later = await signIn(f, 'usrLater0000001');
    const answer = await decide(f, consent, `${cookie}; ${later}`, 'approve');
    expect(answer.res.headers.get('location')).toBe(AIRTABLE_AUTHORIZE);
    expect(f.signIns).toHaveLength(1);
  });

  it('the grant uses the very credential of the signed-in connection', async () => {
    const session = await signIn(f, 'usrBound000001');
    const signedIn = await f.storage.findSession(session.replace('session_id=', ''));
    const { consent, cookie } = await openConsent(f, params(), session);
    const code = location((await decide(f, consent, cookie, 'approve')).res).searchParams.get(
      'code',
    )!;
    const row = f.store.codes.get(keyedHash(f.deps.config.secretKey, 'oauth-code', code));
    const grant = await f.store.getGrant(row!.data.grantId);
    expect(grant?.credentialId).toBe(signedIn?.data.credentialId);
    expect(grant?.credentialId).toBeTruthy();
  });
});

describe('approve', () => {
  it('without a session: starts the Airtable sign-in with the parked request', async () => {
    f.signIns.length = 0;
    const { consent, cookie } = await openConsent(f, params());
    const answer = await decide(f, consent, cookie, 'approve');
    expect(answer.status).toBe(303);
    expect(answer.res.headers.get('location')).toBe(AIRTABLE_AUTHORIZE);
    // Bound to this browser: the same cookie the consent form was issued to.
    expect(cookie).toContain(`signin_browser=${f.signIns[0]?.browser}`);
    expect(f.signIns).toEqual([
      {
        platform: 'mcp-oauth',
        browser: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        pendingAuthorization: {
          clientId,
          redirectUri: REDIRECT,
          codeChallenge: challenge,
          state: 'state-1',
          resource: RESOURCE,
          scopes: ['airtable:read', 'airtable:write'],
        },
      },
    ]);
    // What /auth/callback does once the person signed in to Airtable:
    const redirect = await completeAuthorization(f.deps, f.signIns[0]!.pendingAuthorization!, {
      userId: 'usrA',
      credentialId: 'credA',
    });
    const loc = new URL(redirect);
    expect(`${loc.origin}${loc.pathname}`).toBe(REDIRECT);
    expect(loc.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(loc.searchParams.get('state')).toBe('state-1');
    expect(loc.searchParams.get('iss')).toBe(PUBLIC_URL);
    // Stored hashed, bound to the user and the request.
    const code = loc.searchParams.get('code')!;
    const row = f.store.codes.get(keyedHash(f.deps.config.secretKey, 'oauth-code', code));
    expect(row?.data).toMatchObject({ clientId, userId: 'usrA', codeChallenge: challenge });
    const grant = await f.store.getGrant(row!.data.grantId);
    expect(grant?.credentialId).toBe('credA');
    expect(JSON.stringify([...f.store.codes.entries()])).not.toContain(code);
  });

  it('with a live session and a usable Airtable credential: issues the code at once', async () => {
    f.signIns.length = 0;
    const session = await signIn(f, 'usrSignedIn');
    const { consent, cookie } = await openConsent(f, params(), session);
    const answer = await decide(f, consent, cookie, 'approve');
    expect(answer.status).toBe(303);
    const loc = location(answer.res);
    expect(loc.searchParams.get('code')).toBeTruthy();
    expect(f.signIns).toHaveLength(0);
  });

  it('with a session whose Airtable credential is dead: signs in to Airtable again', async () => {
    f.signIns.length = 0;
    const session = await signIn(f, 'usrDead');
    const signedIn = await f.storage.findSession(session.replace('session_id=', ''));
    await f.storage.markUserTokenDead(sessionCredential(signedIn!));
    const { consent, cookie } = await openConsent(f, params(), session);
    const answer = await decide(f, consent, cookie, 'approve');
    expect(answer.res.headers.get('location')).toBe(AIRTABLE_AUTHORIZE);
    expect(f.signIns).toHaveLength(1);
  });

  it('an access token of ours in the session cookie is not a login', async () => {
    f.signIns.length = 0;
    await signIn(f, 'usrTok');
    const { secret } = await f.storage.createSession(
      'usrTok',
      { platform: 'mcp-oauth', kind: 'mcp_access', clientId, scopes: [], resource: RESOURCE },
      60_000,
    );
    const { consent, cookie } = await openConsent(f, params(), `session_id=${secret}`);
    const answer = await decide(f, consent, cookie, 'approve');
    expect(answer.res.headers.get('location')).toBe(AIRTABLE_AUTHORIZE);
  });

  it('tells the client server_error when the Airtable sign-in cannot start', async () => {
    const g = await startFixture();
    try {
      g.deps.airtableSignIn.start = () => Promise.reject(new Error('AIRTABLE_CLIENT_ID unset'));
      const { clientId: id } = await registerClient(g);
      const { consent, cookie } = await openConsent(g, { ...params(), client_id: id });
      const answer = await decide(g, consent, cookie, 'approve');
      expect(answer.status).toBe(303);
      const loc = location(answer.res);
      expect(loc.searchParams.get('error')).toBe('server_error');
      expect(loc.searchParams.get('error_description')).not.toContain('AIRTABLE_CLIENT_ID');
    } finally {
      await g.close();
    }
  });
});

describe('completeAuthorization', () => {
  it('refuses a client that disappeared meanwhile', async () => {
    const { clientId: id } = await registerClient(f);
    await f.store.deleteClient(id);
    await expect(
      completeAuthorization(
        f.deps,
        {
          clientId: id,
          redirectUri: REDIRECT,
          codeChallenge: challenge,
          resource: RESOURCE,
          scopes: ['airtable:read'],
        },
        { userId: 'usrX' },
      ),
    ).rejects.toMatchObject({ errorCode: 'invalid_client' });
  });
});
