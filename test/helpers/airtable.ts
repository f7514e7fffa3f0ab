/** Test helpers: the fake's admin client, users with PATs, and the OAuth walk through the fake. */
import { randomBytes } from 'node:crypto';
import { FakeAirtableAdminClient } from '../../fake-airtable/admin-client';
import { harness } from '../harness/env';

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

/** Walks /auth/authorize -> fake consent (approved for userId) and returns the callback URL. */
export async function oauthCallbackUrl(userId: string, platform = 'chatgpt'): Promise<string> {
  const res = await fetch(`${harness().baseUrl}/auth/authorize?platform=${platform}`, {
    redirect: 'manual',
  });
  if (res.status !== 302) throw new Error(`authorize answered ${res.status}`);
  const decision = await fakeAdmin().authorize({ url: res.headers.get('location')!, userId });
  if (!decision.ok) throw new Error(`fake refused: ${decision.error}`);
  return decision.location;
}

/** Full OAuth sign-in for a new fake user; returns the session id and user id. */
export async function oauthSession(
  platform = 'chatgpt',
): Promise<{ userId: string; sessionId: string }> {
  const user = await fakeAdmin().createUser({ id: uniqueUserId() });
  const callback = await oauthCallbackUrl(user.id, platform);
  const res = await fetch(callback, { headers: { Accept: 'application/json' } });
  if (res.status !== 200) throw new Error(`callback answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { session_id: string; user_id: string };
  return { userId: body.user_id, sessionId: body.session_id };
}
