/**
 * The sign-in flow as a person sees it, in headless Chromium: /auth/authorize -> the fake's sandbox
 * consent page (pick a user, Approve) -> /auth/callback -> the connected page, whose session id
 * must work on GET /api/auth/session; then the error pages (Deny, a replayed callback).
 * Set KEEP_BROWSER_ARTIFACTS=1 to keep the screenshots (in .data/browser-artifacts/; the folder
 * is printed - the run's own temporary folder goes at its end).
 */
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { describeWithChromium, launchChromium } from '../browser/chromium';
import { harness } from '../harness/env';
import { fakeAdmin, uniqueUserId, userWithPat } from '../helpers/airtable';

const h = harness();
const SANDBOX_BANNER = 'Airtable SANDBOX - this is not Airtable';

describeWithChromium()('sign-in in a browser', () => {
  let dir: string;
  let context: BrowserContext;
  let userId: string;

  beforeAll(async () => {
    const keep = path.resolve(__dirname, '../../.data/browser-artifacts');
    if (process.env.KEEP_BROWSER_ARTIFACTS === '1') mkdirSync(keep, { recursive: true });
    const base = process.env.KEEP_BROWSER_ARTIFACTS === '1' ? keep : os.tmpdir();
    dir = mkdtempSync(path.join(base, 'browser-signin-'));
    context = await launchChromium(path.join(dir, 'profile'));
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.baseUrl });
    userId = (
      await fakeAdmin().createUser({
        id: uniqueUserId(),
        name: 'Browser Tester',
        email: 'browser@example.com',
      })
    ).id;
  });

  afterAll(async () => {
    await context?.close();
    if (!dir) return;
    if (process.env.KEEP_BROWSER_ARTIFACTS === '1') console.log(`Browser screenshots in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  });

  /** Opens /auth/authorize and answers the fake's consent page as `userId`. */
  async function consent(page: Page, decision: 'approve' | 'deny'): Promise<number> {
    const start = await page.goto(`${h.baseUrl}/auth/authorize?platform=claude`);
    expect(start?.status()).toBe(200);
    expect(page.url().startsWith(`${h.fakeAirtableUrl}/oauth2/v1/authorize?`)).toBe(true);
    await expect(page.locator('.banner').innerText()).resolves.toBe(SANDBOX_BANNER);
    await page.check(`input[name="user_id"][value="${userId}"]`);
    const callback = page.waitForResponse((r) => r.url().startsWith(`${h.baseUrl}/auth/callback?`));
    await page.click(`button[name="decision"][value="${decision}"]`);
    const status = (await callback).status();
    await page.waitForLoadState('load');
    return status;
  }

  it('approve: the connected page shows a working session id, a copy button, and looks right', async () => {
    const page = await context.newPage();
    expect(await consent(page, 'approve')).toBe(200);
    expect(await page.title()).toBe('Connected to Airtable');
    await expect(page.locator('h1').first().innerText()).resolves.toBe('Connected to Airtable');
    await expect(page.locator('.card.ok').innerText()).resolves.toContain(userId);

    const sessionId = (await page.locator('#session-id').innerText()).trim();
    expect(sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const me = await fetch(`${h.baseUrl}/api/auth/session`, {
      headers: { Authorization: `Bearer ${sessionId}` },
    });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ user_id: userId, platform: 'claude', kind: 'oauth' });
    // The browser holds the same session as an HttpOnly cookie.
    const cookie = (await context.cookies(h.baseUrl)).find((c) => c.name === 'session_id');
    expect(cookie).toMatchObject({ value: sessionId, httpOnly: true, sameSite: 'Lax' });

    const copy = page.locator('button[data-copy="session-id"]');
    await expect(copy.isVisible()).resolves.toBe(true);
    await copy.click();
    // The label changes when the clipboard promise resolves: wait for it instead of racing it.
    await page.waitForFunction(
      () => document.querySelector('button[data-copy="session-id"]')?.textContent === 'Copied',
      null,
      { timeout: 10_000 },
    );
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(sessionId);

    // Nothing wider than the window, on a desktop or a phone: long ids, URLs and commands wrap.
    for (const width of [1000, 390]) {
      await page.setViewportSize({ width, height: 800 });
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect({ width, overflow }).toEqual({ width, overflow: 0 });
      const shot = path.join(dir, `connected-${width}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
    }
    await page.setViewportSize({ width: 1000, height: 800 });

    // The callback URL is single use: opening it again explains what to do, with a link.
    const replay = await page.goto(page.url());
    expect(replay?.status()).toBe(400);
    await expect(page.locator('h1').innerText()).resolves.toBe('Invalid state - start again');
    await expect(page.locator('.card.err').innerText()).resolves.toContain(
      'Start the sign-in again',
    );
    await page.screenshot({ path: path.join(dir, 'invalid-state.png'), fullPage: true });
    const again = page.locator('a', { hasText: 'Start again' });
    expect(await again.getAttribute('href')).toBe('/auth/authorize');
    await again.click();
    await page.waitForURL((u) => u.href.startsWith(`${h.fakeAirtableUrl}/oauth2/v1/authorize?`));
    await expect(page.locator('.banner').innerText()).resolves.toBe(SANDBOX_BANNER);
    await page.close();
  });

  it('deny: our page says nothing was connected and offers to start again', async () => {
    const page = await context.newPage();
    expect(await consent(page, 'deny')).toBe(403);
    await expect(page.locator('h1').innerText()).resolves.toBe('Airtable did not connect');
    await expect(page.locator('.card.err').innerText()).resolves.toBe(
      'You declined the authorization on Airtable, so nothing was connected.',
    );
    expect(await page.locator('a', { hasText: 'Start again' }).getAttribute('href')).toBe(
      '/auth/authorize',
    );
    await page.screenshot({ path: path.join(dir, 'denied.png'), fullPage: true });
    await page.close();
  });

  // The MCP authorization server's consent page names the Airtable account approving would
  // connect, so a browser signed in to someone else's account (login CSRF) is noticed.
  it('consent for an MCP client names the signed-in account and can switch to another', async () => {
    const person = await userWithPat();
    const reg = await fetch(`${h.baseUrl}/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '10.9.9.9' },
      body: JSON.stringify({
        redirect_uris: ['http://127.0.0.1:9/callback'],
        token_endpoint_auth_method: 'none',
        client_name: 'Browser test client',
      }),
    });
    const clientId = String(((await reg.json()) as { client_id: string }).client_id);
    const authorize = new URL(`${h.baseUrl}/authorize`);
    for (const [k, v] of Object.entries({
      client_id: clientId,
      redirect_uri: 'http://127.0.0.1:9/callback',
      response_type: 'code',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      state: 'browser-state',
    }))
      authorize.searchParams.set(k, v);

    const page = await context.newPage();
    // The client's redirect URI: a page standing in for the application that receives the code.
    await page.route('http://127.0.0.1:9/**', (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<title>client</title>' }),
    );
    // Sign in on our home page with a personal access token (a same-origin form post).
    await page.goto(`${h.baseUrl}/`);
    await page.fill('input[name="api_key"]', person.pat);
    await page.click('form[action="/api/auth/direct"] button[type="submit"]');
    await page.waitForLoadState('load');
    expect(await page.title()).toBe('Connected to Airtable');

    await page.goto(authorize.toString());
    const account = await page.locator('#account').innerText();
    expect(account).toContain(person.userId);
    expect(account).toContain('Approving connects it to this Airtable account');
    await page.screenshot({ path: path.join(dir, 'consent-signed-in.png'), fullPage: true });
    await page.click('button[name="decision"][value="approve"]');
    await page.waitForURL((u) => u.href.startsWith('http://127.0.0.1:9/callback'));
    const landed = new URL(page.url());
    expect(landed.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(landed.searchParams.get('state')).toBe('browser-state');

    // "Use another Airtable account" goes through Airtable's sign-in instead.
    await page.goto(authorize.toString());
    await page.click('button[name="decision"][value="approve_other_account"]');
    await page.waitForURL((u) => u.href.startsWith(`${h.fakeAirtableUrl}/oauth2/v1/authorize?`));
    await expect(page.locator('.banner').innerText()).resolves.toBe(SANDBOX_BANNER);
    await page.close();
  });
});
