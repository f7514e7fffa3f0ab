/** Test helpers: the fake's admin client, users with PATs, and the OAuth walk through the fake. */
import { randomBytes } from 'node:crypto';
import { FakeAirtableAdminClient } from '../../fake-airtable/admin-client';
import { harness } from '../harness/env';
import { TestBrowser } from './browser';

export function fakeAdmin(): FakeAirtableAdminClient {
  return new FakeAirtableAdminClient(harness().fakeAirtableUrl);
}

export function uniqueUserId(): string {
  return `usr${randomBytes(7).toString('hex').slice(0, 14)}`;
}

/** A fresh Airtable user with a PAT; returns the user id and token. */
export async function userWithPat(
  scopes: string[] = [
    'data.records:read',
    'data.records:write',
    'schema.bases:read',
    'schema.bases:write',
    'data.recordComments:read',
    'data.recordComments:write',
  ],
): Promise<{ userId: string; pat: string }> {
  const admin = fakeAdmin();
  const user = await admin.createUser({
    id: uniqueUserId(),
    email: `${uniqueUserId()}@example.com`,
  });
  const { token } = await admin.createPat({
    userId: user.id,
    scopes: scopes as never,
    bases: 'all',
  });
  return { userId: user.id, pat: token };
}

/**
 * Signs in with a PAT through POST /api/auth/direct on `baseUrl` (default: the shared stack);
 * returns the session id. Each call comes from an address of its own (the harness trusts one proxy
 * hop, so the per-IP limit keys on the last X-Forwarded-For entry), so test files running in
 * parallel never share the 20-a-minute limit.
 */
export async function sessionFromPat(
  pat: string,
  platform = 'claude',
  baseUrl = harness().baseUrl,
): Promise<string> {
  const b = randomBytes(3);
  const res = await fetch(`${baseUrl}/api/auth/direct`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-Forwarded-For': `10.${b[0]}.${b[1]}.${b[2]}`,
    },
    body: JSON.stringify({ api_key: pat, platform }),
  });
  if (res.status !== 200)
    throw new Error(`direct sign-in on ${baseUrl} failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { session_id: string }).session_id;
}

/**
 * Walks /auth/authorize in `browser` -> the fake's consent (approved for userId) and returns the
 * callback URL Airtable sends that browser to. Only that browser can complete it (it holds the
 * sign-in's binding cookie).
 */
export async function oauthCallbackUrl(
  userId: string,
  platform = 'chatgpt',
  browser = new TestBrowser(),
  baseUrl = harness().baseUrl,
): Promise<string> {
  const res = await browser.fetch(`${baseUrl}/auth/authorize?platform=${platform}`);
  if (res.status !== 302 || !res.location) throw new Error(`authorize answered ${res.status}`);
  const decision = await fakeAdmin().authorize({ url: res.location, userId });
  if (!decision.ok) throw new Error(`fake refused: ${decision.error}`);
  return decision.location;
}

/** Full OAuth sign-in for a new fake user in a fresh browser; returns the session id and user id. */
export async function oauthSession(
  platform = 'chatgpt',
): Promise<{ userId: string; sessionId: string; browser: TestBrowser }> {
  const user = await fakeAdmin().createUser({ id: uniqueUserId() });
  const browser = new TestBrowser();
  const callback = await oauthCallbackUrl(user.id, platform, browser);
  const res = await browser.fetch(callback, { headers: { Accept: 'application/json' } });
  if (res.status !== 200) throw new Error(`callback answered ${res.status}: ${res.text}`);
  const body = JSON.parse(res.text) as { session_id: string; user_id: string };
  return { userId: body.user_id, sessionId: body.session_id, browser };
}
