/**
 * Every kind of HTML page the bundle serves carries the same page headers (cloud/web/page-headers.ts):
 * `X-Content-Type-Options: nosniff`, our CSP, no framing, no caching - the home page, the sign-in
 * pages (connected, error), the consent page, the authorization server's error pages (also the
 * rate-limited one), and Express's own 404 page.
 */
import { createHash, randomBytes } from 'node:crypto';
import { harness } from '../harness/env';
import { userWithPat } from '../helpers/airtable';

const h = harness();
const publicUrl = process.env.PUBLIC_URL!;
const html = { Accept: 'text/html' };
const xff = () => `${randomBytes(3).join('.')}.9`;

function expectPageHeaders(res: Response, what: string): void {
  expect({ what, type: res.headers.get('content-type') }).toEqual({
    what,
    type: expect.stringMatching(/^text\/html/),
  });
  expect({ what, nosniff: res.headers.get('x-content-type-options') }).toEqual({
    what,
    nosniff: 'nosniff',
  });
}

function expectOurPage(res: Response, what: string): void {
  expectPageHeaders(res, what);
  expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('cache-control')).toBe('no-store');
}

async function registeredClient(): Promise<string> {
  const reg = await fetch(`${h.baseUrl}/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': xff() },
    body: JSON.stringify({
      redirect_uris: ['http://127.0.0.1:9/callback'],
      token_endpoint_auth_method: 'none',
      client_name: 'Page headers client',
    }),
  });
  expect(reg.status).toBe(201);
  return String(((await reg.json()) as Record<string, unknown>).client_id);
}

it('the home page', async () => {
  const res = await fetch(`${h.baseUrl}/`);
  expect(res.status).toBe(200);
  expectOurPage(res, 'home');
});

it('the sign-in result pages: connected and errors', async () => {
  const { pat } = await userWithPat();
  const direct = await fetch(`${h.baseUrl}/api/auth/direct`, {
    method: 'POST',
    headers: {
      ...html,
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Forwarded-For': xff(),
    },
    body: new URLSearchParams({ api_key: pat, platform: 'claude' }).toString(),
  });
  expect(direct.status).toBe(200);
  expectOurPage(direct, 'connected (PAT)');

  // The Airtable callback's pages (connected, errors) all go through one sendPage; its error page
  // needs no token exchange (signin-oauth.test.ts injects token faults on the shared fake).
  const badState = await fetch(`${h.baseUrl}/auth/callback?state=${'x'.repeat(43)}&code=c`, {
    headers: html,
  });
  expect(badState.status).toBeGreaterThanOrEqual(400);
  expectOurPage(badState, 'callback error');
});

it("the consent page and the authorization server's error pages", async () => {
  const clientId = await registeredClient();
  const challenge = createHash('sha256').update(randomBytes(32)).digest('base64url');
  const authorize = new URL(`${h.baseUrl}/authorize`);
  for (const [k, v] of Object.entries({
    client_id: clientId,
    redirect_uri: 'http://127.0.0.1:9/callback',
    response_type: 'code',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'st',
    resource: `${publicUrl}/mcp`,
  }))
    authorize.searchParams.set(k, v);
  const consent = await fetch(authorize, {
    redirect: 'manual',
    headers: { 'X-Forwarded-For': xff() },
  });
  expect(consent.status).toBe(200);
  expectOurPage(consent, 'consent');

  const unknown = await fetch(`${h.baseUrl}/authorize?client_id=nobody&response_type=code`, {
    redirect: 'manual',
    headers: { 'X-Forwarded-For': xff() },
  });
  expect(unknown.status).toBeGreaterThanOrEqual(400);
  expectOurPage(unknown, 'authorize error');

  const decision = await fetch(`${h.baseUrl}/authorize/decision`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'Sec-Fetch-Site': 'same-origin',
    },
    body: 'decision=approve',
    redirect: 'manual',
  });
  expect(decision.status).toBeGreaterThanOrEqual(400);
  expectOurPage(decision, 'decision error');

  // The rate-limited consent page (60 a minute from one address).
  const from = xff();
  let limited: Response | undefined;
  for (let i = 0; i < 61 && !limited; i++) {
    const res = await fetch(`${h.baseUrl}/authorize`, { headers: { 'X-Forwarded-For': from } });
    if (res.status === 429) limited = res;
    else await res.arrayBuffer();
  }
  expect(limited).toBeDefined();
  expectOurPage(limited!, 'rate-limited authorize');
});

it("Express's own 404 page", async () => {
  const res = await fetch(`${h.baseUrl}/no-such-page`, { headers: html });
  expect(res.status).toBe(404);
  expectPageHeaders(res, '404');
});
