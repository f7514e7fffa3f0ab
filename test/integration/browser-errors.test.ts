/**
 * Every failure a browser can reach is a page (status kept, our layout, a way back); API clients
 * asking for JSON (or sending no Accept, or any-type) still get the JSON error document. The
 * PAT form on the home page: a refused token is a page saying what to do, a good one the
 * connected page; the connected page's sign-out form ends on a page too.
 */
import { randomBytes } from 'node:crypto';
import { harness } from '../harness/env';
import { userWithPat } from '../helpers/airtable';
import { TestBrowser, type BrowserResponse } from '../helpers/browser';

const h = harness();
const NAVIGATE = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const UNKNOWN_PAT = `pat${'Q'.repeat(14)}.${randomBytes(32).toString('hex')}`;

function decode(text: string): string {
  return text
    .replace(/<[^>]+>/g, '')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** An HTML page of ours: status, headers, title = heading, and a link back to the start page. */
function expectPage(res: BrowserResponse, status: number, title: string | RegExp): string {
  expect({ url: res.url, status: res.status }).toEqual({ url: res.url, status });
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  const t = decode(/<title>([\s\S]*?)<\/title>/.exec(res.text)?.[1] ?? '');
  const h1 = [...res.text.matchAll(/<h1>([\s\S]*?)<\/h1>/g)].map((m) => decode(m[1]!));
  expect(h1).toEqual([t]);
  expect(t).toMatch(title);
  expect(res.text).toContain('<meta name="viewport"');
  return decode(res.text);
}

function expectJson(res: BrowserResponse, status: number, error: string): void {
  expect({ url: res.url, status: res.status }).toEqual({ url: res.url, status });
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(JSON.parse(res.text)).toMatchObject({ error });
}

/** The home page's PAT form, as Chromium posts it. */
function submitToken(browser: TestBrowser, apiKey: string, accept = NAVIGATE) {
  return browser.fetch(`${h.baseUrl}/api/auth/direct`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'Sec-Fetch-Site': 'same-origin',
      Origin: 'null',
      Accept: accept,
    },
    body: new URLSearchParams({ api_key: apiKey, platform: 'other' }).toString(),
  });
}

describe('the home page PAT form (POST /api/auth/direct)', () => {
  it('a token Airtable refuses: a page that says what went wrong and how to fix it, with a way back', async () => {
    const browser = new TestBrowser();
    const res = await submitToken(browser, UNKNOWN_PAT);
    const text = expectPage(res, 401, 'Airtable refused this token');
    expect(text).toContain('Airtable refused the token');
    expect(text).toContain('airtable.com/create/tokens');
    expect(text).not.toMatch(/\.\./);
    expect(text).not.toContain(UNKNOWN_PAT);
    expect(res.text).toContain('<a class="button" href="/">Try another token</a>');
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('the same refusal for API clients stays JSON (JSON, any type, or no Accept)', async () => {
    for (const accept of ['application/json', '*/*', '', 'application/json, text/html;q=0.5']) {
      const res = await new TestBrowser().fetch(`${h.baseUrl}/api/auth/direct`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(accept ? { Accept: accept } : {}),
        },
        body: JSON.stringify({ api_key: UNKNOWN_PAT }),
      });
      expectJson(res, 401, 'invalid_api_key');
      expect((JSON.parse(res.text) as { error_description: string }).error_description).not.toMatch(
        /\.\./,
      );
    }
  });

  it('a malformed token: a 400 page with a way to try again', async () => {
    const res = await submitToken(new TestBrowser(), 'not a token');
    const text = expectPage(res, 400, 'This token cannot be used');
    expect(text).toContain('api_key contains characters an Airtable token never has');
    expect(res.text).toContain('href="/"');
  });

  it('a good token: the connected page, with a readable expiry and the session as a cookie', async () => {
    const { userId, pat } = await userWithPat();
    const browser = new TestBrowser();
    const res = await submitToken(browser, pat);
    const text = expectPage(res, 200, 'Connected to Airtable');
    expect(text).toContain(userId);
    expect(res.text).toMatch(
      /valid until <time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z">\d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d UTC<\/time>/,
    );
    expect(await browser.cookie(h.baseUrl, 'session_id')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.text).toContain('<form method="post" action="/auth/logout">');
  });

  it('a form from another site: a 403 page, nobody signed in', async () => {
    const { pat } = await userWithPat();
    const browser = new TestBrowser();
    const res = await browser.fetch(`${h.baseUrl}/api/auth/direct`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'Sec-Fetch-Site': 'cross-site',
        Origin: 'https://evil.example',
        Accept: NAVIGATE,
      },
      body: new URLSearchParams({ api_key: pat }).toString(),
    });
    expect(expectPage(res, 403, 'Request from another site refused')).toContain(
      'other sites are refused',
    );
    expect(await browser.cookie(h.baseUrl, 'session_id')).toBeUndefined();
  });

  it('too many tries from one address: a 429 page for the browser, JSON for an API client', async () => {
    const browser = new TestBrowser();
    let limited: BrowserResponse | undefined;
    for (let i = 0; i < 25 && !limited; i++) {
      const res = await submitToken(browser, 'short');
      if (res.status === 429) limited = res;
    }
    expect(limited).toBeDefined();
    expectPage(limited!, 429, 'Too many attempts');
    expect(limited!.headers.get('retry-after')).toMatch(/^\d+$/);
    const api = await browser.fetch(`${h.baseUrl}/api/auth/direct`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expectJson(api, 429, 'rate_limited');
  });
});

describe('sign-out from the connected page (POST /auth/logout)', () => {
  it('with a session: a "Signed out" page, the cookie cleared, the session ended', async () => {
    const { pat } = await userWithPat();
    const browser = new TestBrowser();
    expect((await submitToken(browser, pat)).status).toBe(200);
    const sessionId = await browser.cookie(h.baseUrl, 'session_id');
    const out = await browser.submit(`${h.baseUrl}/auth/logout`, {});
    expect(expectPage(out, 200, 'Signed out')).toContain('This session has ended');
    expect(out.text).toContain('href="/"');
    expect(await browser.cookie(h.baseUrl, 'session_id')).toBeFalsy();
    const me = await fetch(`${h.baseUrl}/api/auth/session`, {
      headers: { Authorization: `Bearer ${sessionId}` },
    });
    expect(me.status).toBe(401);
    await me.arrayBuffer();
  });

  it('without a session: a 401 page for the browser, JSON for an API client', async () => {
    const browser = new TestBrowser();
    const out = await browser.submit(`${h.baseUrl}/auth/logout`, {});
    expectPage(out, 401, 'You are not signed in');
    expect(out.text).toContain('href="/auth/authorize"');
    const api = await browser.fetch(`${h.baseUrl}/auth/logout`, { method: 'POST' });
    expectJson(api, 401, 'invalid_token');
  });
});

describe('Airtable sign-in (/auth/authorize, /auth/callback)', () => {
  it('a bad platform: a 400 page for the browser, JSON for an API client', async () => {
    const browser = new TestBrowser();
    const page = await browser.fetch(`${h.baseUrl}/auth/authorize?platform=%3Cx%3E`, {
      headers: { Accept: NAVIGATE },
    });
    expectPage(page, 400, 'This request cannot be completed');
    expect(page.text).toContain('href="/auth/authorize"');
    const api = await browser.fetch(`${h.baseUrl}/auth/authorize?platform=%3Cx%3E`, {
      headers: { Accept: 'application/json' },
    });
    expectJson(api, 400, 'invalid_request');
  });

  it('too many sign-in starts from one address: a 429 page', async () => {
    const browser = new TestBrowser();
    let limited: BrowserResponse | undefined;
    for (let i = 0; i < 35 && !limited; i++) {
      const res = await browser.fetch(`${h.baseUrl}/auth/authorize?platform=%3Cx%3E`, {
        headers: { Accept: NAVIGATE },
      });
      if (res.status === 429) limited = res;
    }
    expect(limited).toBeDefined();
    expectPage(limited!, 429, 'Too many attempts');
  });

  it('a stale callback: the "Invalid state" page; JSON when asked for JSON only', async () => {
    const browser = new TestBrowser();
    const url = `${h.baseUrl}/auth/callback?state=${'s'.repeat(43)}&code=c`;
    const page = await browser.fetch(url, { headers: { Accept: NAVIGATE } });
    expectPage(page, 400, 'Invalid state - start again');
    expect(page.text).toContain('<a class="button" href="/auth/authorize">Start again</a>');
    expect(page.text).toContain('href="/"');
    expectJson(
      await browser.fetch(url, { headers: { Accept: 'application/json' } }),
      400,
      'invalid_state',
    );
  });
});

describe('the authorization server (/authorize, /authorize/decision)', () => {
  it('an unknown client: a page whose tab title is its heading, with a way back', async () => {
    const res = await new TestBrowser().fetch(
      `${h.baseUrl}/authorize?client_id=nobody&response_type=code`,
      { headers: { Accept: NAVIGATE } },
    );
    expect(res.status).toBeGreaterThanOrEqual(400);
    expectPage(res, res.status, 'This connection request cannot continue');
    expect(res.text).toContain('href="/"');
  });

  it('an incomplete consent answer: a 400 page', async () => {
    const res = await new TestBrowser().submit(`${h.baseUrl}/authorize/decision`, {
      decision: 'approve',
    });
    expectPage(res, 400, 'This connection request cannot continue');
  });
});

describe('wrong paths and methods under our prefixes', () => {
  it.each([
    ['GET', '/auth/nowhere', 404, 'not_found', 'Page not found'],
    ['GET', '/api/auth/nowhere', 404, 'not_found', 'Page not found'],
    ['GET', '/authorize/nowhere', 404, 'not_found', 'Page not found'],
    ['GET', '/api/auth/direct', 405, 'method_not_allowed', 'This address is not a page'],
    ['GET', '/auth/logout', 405, 'method_not_allowed', 'This address is not a page'],
    ['GET', '/authorize/decision', 405, 'method_not_allowed', 'This address is not a page'],
    ['POST', '/auth/callback', 405, 'method_not_allowed', 'This address is not a page'],
  ])(
    '%s %s: %d, a page for browsers, JSON for API clients',
    async (method, path, status, code, title) => {
      const browser = new TestBrowser();
      const page = await browser.fetch(`${h.baseUrl}${path}`, {
        method,
        headers: { Accept: NAVIGATE },
      });
      expectPage(page, status, title);
      expect(page.text).toContain('href="/"');
      if (status === 405) expect(page.headers.get('allow')).toBeTruthy();
      const api = await browser.fetch(`${h.baseUrl}${path}`, { method });
      expectJson(api, status, code);
    },
  );

  it("paths outside ours are left to the server's own 404", async () => {
    const res = await fetch(`${h.baseUrl}/no-such-page`, { headers: { Accept: NAVIGATE } });
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('Back to the start page');
  });
});
