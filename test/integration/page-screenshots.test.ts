/**
 * Every page we serve, in headless Chromium at a desktop width (1200 px) and a phone width
 * (390 px), served by an instance in sandbox mode (SANDBOX=1): nothing is wider than the window
 * (document.documentElement.scrollWidth <= clientWidth), the SANDBOX notice is on the page, and the
 * tab title is the heading. Pages reached through the real flows: home, the PAT form's results
 * (connected, refused, malformed), sign-out, the Airtable sign-in's results (connected, denied,
 * invalid state), the consent page, the authorization server's error page, 404/405 and 429 pages;
 * the rest of the catalogue (test/helpers/page-catalogue.ts) is rendered into the same browser.
 * Screenshots go to this run's folder and are removed at the end; KEEP_BROWSER_ARTIFACTS=1 keeps
 * them in .data/browser-artifacts/ (the folder is printed).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { renderPage, setSandboxPages } from '../../cloud/web/html';
import { describeWithChromium, launchChromium } from '../browser/chromium';
import { harness } from '../harness/env';
import { fakeAdmin, uniqueUserId, userWithPat } from '../helpers/airtable';
import { reservePort, startChildStack, type ChildStack } from '../helpers/child-stack';
import { pageCatalogue } from '../helpers/page-catalogue';

jest.setTimeout(120_000);

const h = harness();
const WIDTHS = [1200, 390];
const UNKNOWN_PAT = `pat${'Q'.repeat(14)}.${randomBytes(32).toString('hex')}`;

describeWithChromium()('every page, at 1200 px and 390 px, in sandbox mode', () => {
  let dir: string;
  let context: BrowserContext;
  let instance: ChildStack | undefined;
  let base: string;
  const shots: string[] = [];

  beforeAll(async () => {
    const keep = process.env.KEEP_BROWSER_ARTIFACTS === '1';
    const parent = keep ? path.resolve(__dirname, '../../.data/browser-artifacts') : h.runDir;
    mkdirSync(parent, { recursive: true });
    dir = mkdtempSync(path.join(parent, 'page-screenshots-'));
    const reserved = await reservePort();
    base = `http://localhost:${reserved.port}`;
    // Airtable (the fake) sends the person back to this instance's own /auth/callback.
    await fakeAdmin().registerRedirectUri(`${base}/auth/callback`);
    instance = await startChildStack({ env: { PUBLIC_URL: base, SANDBOX: '1' }, port: reserved });
    context = await launchChromium(path.join(dir, 'profile'));
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await instance?.stop();
    if (!dir) return;
    if (process.env.KEEP_BROWSER_ARTIFACTS === '1') console.log(`Page screenshots in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  });

  /**
   * The page as shown: our layout (title = heading, SANDBOX notice), no horizontal scroll at
   * either width, a screenshot of each.
   */
  async function check(page: Page, name: string, title: string): Promise<void> {
    const h1 = (await page.locator('h1').allInnerTexts()).map((t) => t.trim());
    expect({ name, h1, title: await page.title() }).toEqual({ name, h1: [title], title });
    await expect(page.locator('#sandbox-notice').innerText()).resolves.toMatch(
      /^SANDBOX - nothing here reaches airtable\.com\./,
    );
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 800 });
      const size = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
      }));
      expect({ name, width, fits: size.scroll <= size.client, ...size }).toEqual({
        name,
        width,
        fits: true,
        ...size,
      });
      const file = path.join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      expect(statSync(file).size).toBeGreaterThan(5_000);
      shots.push(file);
    }
    await page.setViewportSize({ width: 1200, height: 800 });
  }

  async function fillTokenForm(page: Page, token: string): Promise<number | undefined> {
    await page.goto(`${base}/`);
    await page.fill('input[name="api_key"]', token);
    const answer = page.waitForResponse((r) => r.url() === `${base}/api/auth/direct`);
    await page.click('form[action="/api/auth/direct"] button[type="submit"]');
    const status = (await answer).status();
    await page.waitForLoadState('load');
    return status;
  }

  /** Opens /auth/authorize and answers the fake's consent page; the status of our callback. */
  async function airtableSignIn(page: Page, userId: string, decision: 'approve' | 'deny') {
    await page.goto(`${base}/auth/authorize?platform=other`);
    await page.waitForURL((u) => u.href.startsWith(`${h.fakeAirtableUrl}/oauth2/v1/authorize?`));
    await page.check(`input[name="user_id"][value="${userId}"]`);
    const callback = page.waitForResponse((r) => r.url().startsWith(`${base}/auth/callback?`));
    await page.click(`button[name="decision"][value="${decision}"]`);
    const status = (await callback).status();
    await page.waitForLoadState('load');
    return status;
  }

  it('the start page', async () => {
    const page = await context.newPage();
    expect((await page.goto(`${base}/`))?.status()).toBe(200);
    await check(page, 'home', 'Airtable MCP server');
    await page.close();
  });

  it('the PAT form: connected (readable expiry), signed out, refused, malformed', async () => {
    const { userId, pat } = await userWithPat();
    const page = await context.newPage();
    expect(await fillTokenForm(page, pat)).toBe(200);
    await check(page, 'pat-connected', 'Connected to Airtable');
    await expect(page.locator('.card.ok').innerText()).resolves.toContain(userId);
    const expiry = page.locator('time').first();
    expect(await expiry.getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    await expect(expiry.innerText()).resolves.toMatch(/^\d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d UTC$/);

    await page.click('form[action="/auth/logout"] button[type="submit"]');
    await page.waitForLoadState('load');
    await check(page, 'signed-out', 'Signed out');

    expect(await fillTokenForm(page, UNKNOWN_PAT)).toBe(401);
    await check(page, 'pat-refused', 'Airtable refused this token');
    const card = await page.locator('.card.err').innerText();
    expect(card).toContain('Airtable refused the token');
    expect(card).not.toContain('..');
    await page.click('a:has-text("Try another token")');
    await page.waitForURL(`${base}/`);

    expect(await fillTokenForm(page, 'not a token')).toBe(400);
    await check(page, 'pat-malformed', 'This token cannot be used');
    await page.close();
  });

  it('the Airtable sign-in: connected, denied, invalid state', async () => {
    const userId = (await fakeAdmin().createUser({ id: uniqueUserId(), name: 'Page Tester' })).id;
    const page = await context.newPage();
    expect(await airtableSignIn(page, userId, 'approve')).toBe(200);
    await check(page, 'oauth-connected', 'Connected to Airtable');
    expect((await page.goto(page.url()))?.status()).toBe(400);
    await check(page, 'invalid-state', 'Invalid state - start again');
    expect(await airtableSignIn(page, userId, 'deny')).toBe(403);
    await check(page, 'airtable-did-not-connect', 'Airtable did not connect');
    await page.close();
  });

  it("the consent page and the authorization server's error page", async () => {
    const reg = await fetch(`${base}/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        redirect_uris: [`http://127.0.0.1:9/callback/${'long-path-segment-'.repeat(8)}`],
        token_endpoint_auth_method: 'none',
        client_name: 'Screenshot test client with a rather long name',
      }),
    });
    expect(reg.status).toBe(201);
    const client = (await reg.json()) as { client_id: string; redirect_uris: string[] };
    const authorize = new URL(`${base}/authorize`);
    for (const [k, v] of Object.entries({
      client_id: client.client_id,
      redirect_uri: client.redirect_uris[0]!,
      response_type: 'code',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      state: 'screenshot-state',
    }))
      authorize.searchParams.set(k, v);
    const page = await context.newPage();
    expect((await page.goto(authorize.toString()))?.status()).toBe(200);
    await check(
      page,
      'consent',
      'Allow Screenshot test client with a rather long name to use your Airtable?',
    );
    expect(
      (await page.goto(`${base}/authorize?client_id=nobody&response_type=code`))?.status(),
    ).toBeGreaterThanOrEqual(400);
    await check(page, 'authorize-error', 'This connection request cannot continue');
    await page.close();
  });

  it('404, 405 and 429 pages', async () => {
    const page = await context.newPage();
    expect((await page.goto(`${base}/auth/nowhere`))?.status()).toBe(404);
    await check(page, 'not-found', 'Page not found');
    expect((await page.goto(`${base}/api/auth/direct`))?.status()).toBe(405);
    await check(page, 'method-not-allowed', 'This address is not a page');
    // One address of its own (TRUST_PROXY_HOPS=1): the sign-in start allows 30 a minute.
    await page.setExtraHTTPHeaders({ 'X-Forwarded-For': `10.${randomBytes(3).join('.')}` });
    let status: number | undefined;
    for (let i = 0; i < 40 && status !== 429; i++)
      status = (await page.goto(`${base}/auth/authorize?platform=%3Cx%3E`))?.status();
    expect(status).toBe(429);
    await check(page, 'rate-limited', 'Too many attempts');
    await page.close();
  });

  it('every other page of the catalogue (rendered as the sandbox would)', async () => {
    const page = await context.newPage();
    setSandboxPages(true);
    try {
      for (const [name, p] of Object.entries(pageCatalogue())) {
        await page.setContent(renderPage(p));
        await check(page, `catalogue-${name}`, p.title);
      }
    } finally {
      setSandboxPages(false);
    }
    await page.close();
    expect(shots.length).toBeGreaterThan(20);
  });
});
