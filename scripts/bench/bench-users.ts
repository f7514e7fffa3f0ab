/**
 * Benchmark users on the fake: Airtable users with their own base holding one distinctive record,
 * signed in through the product's real endpoints (POST /api/auth/direct with a PAT, or the whole
 * OAuth + PKCE walk), and the master-key edit that makes a stored access token look expired.
 */
import { randomBytes } from 'node:crypto';
import type { FakeAirtableAdminClient } from '../../fake-airtable/admin-client';
import { decrypt, encrypt } from '../../cloud/crypto/fernet';
import type { BenchSecrets } from './bench-env';

export const BENCH_TABLE = 'Items';

export interface BenchUser {
  userId: string;
  baseId: string;
  /** The value of the only record's Marker field, unique to this user. */
  marker: string;
}

const SCOPES = ['data.records:read', 'schema.bases:read'] as const;

/** A fake user owning `bases` bases (default 1), each with one record marked for this user. */
export async function createUserWithBases(
  admin: FakeAirtableAdminClient,
  bases = 1,
): Promise<BenchUser & { baseIds: string[] }> {
  const tag = randomBytes(7).toString('hex');
  const userId = `usr${tag}`;
  await admin.createUser({ id: userId, email: `${tag}@bench.example` });
  const marker = `marker-${userId}`;
  const baseIds: string[] = [];
  for (let i = 0; i < bases; i++) {
    const base = await admin.createBase({
      name: `bench ${tag} #${i}`,
      ownerUserIds: [userId],
      tables: [
        {
          name: BENCH_TABLE,
          fields: [
            { name: 'Marker', type: 'singleLineText' },
            { name: 'Owner', type: 'singleLineText' },
          ],
          records: [{ fields: { Marker: marker, Owner: userId } }],
        },
      ],
    });
    baseIds.push(base.id);
  }
  return { userId, baseId: baseIds[0]!, marker, baseIds };
}

/**
 * A PAT limited to the user's own base, exchanged for a session at POST /api/auth/direct. Each
 * user comes from its own address (X-Forwarded-For, which the per-IP limiter reads), as 200 real
 * people would: the limiter allows 20 direct sign-ins per minute per address.
 */
export async function patSession(
  admin: FakeAirtableAdminClient,
  serverUrl: string,
  user: BenchUser,
  clientIp: string,
): Promise<string> {
  const { token } = await admin.createPat({
    userId: user.userId,
    scopes: [...SCOPES],
    bases: [user.baseId],
  });
  const res = await fetch(`${serverUrl}/api/auth/direct`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': clientIp },
    body: JSON.stringify({ api_key: token, platform: 'bench' }),
    signal: AbortSignal.timeout(30_000),
  });
  if (res.status !== 200) throw new Error(`direct sign-in: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { session_id: string }).session_id;
}

/**
 * The Airtable OAuth sign-in (GET /auth/authorize -> the fake's consent, approved for `userId`
 * with all of the user's bases -> GET /auth/callback); returns the session id. OAuth tokens are not
 * subject to the per-user PAT limit of 50 requests/s, only to the per-base one.
 */
export async function oauthSession(
  admin: FakeAirtableAdminClient,
  serverUrl: string,
  userId: string,
): Promise<string> {
  const start = await fetch(`${serverUrl}/auth/authorize?platform=bench`, { redirect: 'manual' });
  const location = start.headers.get('location');
  if (start.status !== 302 || !location) throw new Error(`authorize answered ${start.status}`);
  // The callback completes only in the browser that started the flow: carry its binding cookie.
  const binding = start.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const decision = await admin.authorize({ url: location, userId });
  if (!decision.ok) throw new Error(`the fake refused the sign-in: ${decision.error}`);
  const res = await fetch(decision.location, {
    headers: { Accept: 'application/json', Cookie: binding },
  });
  if (res.status !== 200) throw new Error(`callback answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { session_id: string }).session_id;
}

/** Parse REST with the master key (the servers accept it from 127.0.0.1 only). */
async function masterRest(
  serverUrl: string,
  secrets: BenchSecrets,
  method: string,
  route: string,
  body?: unknown,
): Promise<unknown> {
  const res = await fetch(`${serverUrl}/parse/${route}`, {
    method,
    headers: {
      'X-Parse-Application-Id': secrets.appId,
      'X-Parse-Master-Key': secrets.masterKey,
      'Content-Type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** The credential (UserToken objectId) of `userId`'s newest sign-in. */
export async function newestCredentialId(
  serverUrl: string,
  secrets: BenchSecrets,
  userId: string,
): Promise<string> {
  const where = encodeURIComponent(JSON.stringify({ user_id: userId }));
  const found = (await masterRest(
    serverUrl,
    secrets,
    'GET',
    `classes/UserToken?where=${where}&order=-createdAt&limit=1`,
  )) as { results: { objectId: string }[] };
  const id = found.results[0]?.objectId;
  if (!id) throw new Error(`no UserToken stored for ${userId}`);
  return id;
}

/**
 * Moves the stored access-token expiry of `userId` into the past, as if an hour had gone by (the
 * same edit as test/integration/refresh-single-flight.test.ts): the next call must refresh.
 */
export async function expireStoredAccessToken(
  serverUrl: string,
  secrets: BenchSecrets,
  userId: string,
): Promise<void> {
  const where = encodeURIComponent(JSON.stringify({ user_id: userId }));
  const found = (await masterRest(
    serverUrl,
    secrets,
    'GET',
    `classes/UserToken?where=${where}`,
  )) as {
    results: { objectId: string; tokens: string }[];
  };
  if (found.results.length === 0) throw new Error(`no UserToken stored for ${userId}`);
  for (const row of found.results) {
    const cred = JSON.parse(decrypt(row.tokens, secrets.encryptionKey)) as Record<string, unknown>;
    cred.accessExpiresAt = new Date(Date.now() - 1000).toISOString();
    await masterRest(serverUrl, secrets, 'PUT', `classes/UserToken/${row.objectId}`, {
      tokens: encrypt(JSON.stringify(cred), secrets.encryptionKey),
    });
  }
}
