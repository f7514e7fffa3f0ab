/**
 * The per-process cache of decrypted Airtable credentials (cloud/cache/credential-cache.ts, in
 * cloud/storage/cached-store.ts): repeated tool calls of one connection read and decrypt the row
 * once; entries end with the TTL and never outlive the access token's refresh point or the row;
 * every change made in this process (refresh stored, dead, deleted, sign out everywhere, key
 * rotation) evicts at once, also across the two bundles of one process; `fresh` reads bypass it.
 */
import { createLocalBus } from '../../cloud/cache/invalidation';
import { generateKey } from '../../cloud/crypto/fernet';
import { randomSecret } from '../../cloud/crypto/keyed-hash';
import type { AirtableCredential, CredentialRef, UserTokenRecord } from '../../cloud/storage/base';
import { CachedStorage } from '../../cloud/storage/cached-store';
import { createMemoryData, MemoryStorage } from '../../cloud/storage/memory-store';

const TTL = 5_000;
const HOUR = 3600_000;

class CountingStorage extends MemoryStorage {
  reads = 0;
  gate: Promise<void> | undefined;
  override async getUserToken(ref: CredentialRef): Promise<UserTokenRecord | null> {
    this.reads++;
    const result = await super.getUserToken(ref);
    if (this.gate) await this.gate;
    return result;
  }
}

function setup() {
  let t = Date.now();
  const now = () => new Date(t);
  const secretKey = randomSecret(32);
  const data = createMemoryData();
  const inner = new CountingStorage({ secretKey, encryptionKeys: [generateKey()], now, data });
  const bus = createLocalBus();
  const make = () =>
    new CachedStorage({ inner, secretKey, ttlMs: TTL, credentialTtlMs: TTL, now, bus });
  const cached = make();
  const oauth = (accessMs = HOUR): AirtableCredential => ({
    kind: 'oauth',
    accessToken: `access-${randomSecret(16)}`,
    refreshToken: `refresh-${randomSecret(16)}`,
    accessExpiresAt: new Date(t + accessMs).toISOString(),
    refreshExpiresAt: new Date(t + 60 * 24 * HOUR).toISOString(),
    scope: 'data.records:read',
  });
  const stored = async (cred = oauth()) => {
    const userId = `usr${randomSecret(16)
      .replace(/[^A-Za-z0-9]/g, '')
      .slice(0, 14)}`;
    return { userId, credentialId: await cached.createUserToken(userId, cred, new Date(t + HOUR)) };
  };
  return { inner, cached, make, oauth, stored, advance: (ms: number) => void (t += ms) };
}

it('reads and decrypts a credential once per TTL', async () => {
  const t = setup();
  const ref = await t.stored();
  for (let i = 0; i < 10; i++) expect((await t.cached.getUserToken(ref))?.userId).toBe(ref.userId);
  expect(t.inner.reads).toBe(1);
  t.advance(TTL + 1);
  await t.cached.getUserToken(ref);
  expect(t.inner.reads).toBe(2);
});

it('never holds an access token past its refresh point, nor a row past its expiry', async () => {
  const t = setup();
  const soon = await t.stored(t.oauth(60_000 + 2_000)); // refresh due in 2 s
  await t.cached.getUserToken(soon);
  t.advance(2_001);
  await t.cached.getUserToken(soon);
  expect(t.inner.reads).toBe(2);
  const due = await t.stored(t.oauth(30_000)); // already within the refresh margin
  await t.cached.getUserToken(due);
  await t.cached.getUserToken(due);
  expect(t.inner.reads).toBe(4);
});

it('hands out copies', async () => {
  const t = setup();
  const ref = await t.stored();
  const first = (await t.cached.getUserToken(ref))!;
  first.credential.accessToken = 'tampered';
  expect((await t.cached.getUserToken(ref))?.credential.accessToken).not.toBe('tampered');
});

it.each([
  [
    'a stored refresh',
    (c: CachedStorage, ref: CredentialRef, cred: AirtableCredential) =>
      c.updateUserToken(ref, cred, new Date(Date.now() + HOUR)),
  ],
  ['marking it dead', (c: CachedStorage, ref: CredentialRef) => c.markUserTokenDead(ref)],
  ['deleting it (logout)', (c: CachedStorage, ref: CredentialRef) => c.deleteUserToken(ref)],
  ['sign out everywhere', (c: CachedStorage, ref: CredentialRef) => c.deleteUserTokens(ref.userId)],
])('%s evicts it at once, in every cache of the process', async (_label, change) => {
  const t = setup();
  const other = t.make(); // the other bundle (main.js / app.js) on the same process bus
  const ref = await t.stored();
  await t.cached.getUserToken(ref);
  await other.getUserToken(ref);
  const before = t.inner.reads;
  await change(other, ref, t.oauth());
  const after = await t.cached.getUserToken(ref);
  expect(t.inner.reads).toBe(before + 1);
  if (after) expect(after.status === 'dead' || after.credential.accessToken).toBeTruthy();
});

it('key rotation (all-credentials on the bus) empties it', async () => {
  const t = setup();
  const ref = await t.stored();
  await t.cached.getUserToken(ref);
  expect(t.cached.cachedCredentials).toBe(1);
  (t.cached as unknown as { bus: { publish(i: unknown): void } }).bus.publish({
    kind: 'all-credentials',
    value: 'rotation',
  });
  expect(t.cached.cachedCredentials).toBe(0);
});

it('fresh reads go to the store (the refresh path)', async () => {
  const t = setup();
  const ref = await t.stored();
  await t.cached.getUserToken(ref);
  await t.cached.getUserToken(ref, { fresh: true });
  expect(t.inner.reads).toBe(2);
});

it('a read in flight while the credential changes is not cached', async () => {
  const t = setup();
  const ref = await t.stored();
  let open!: () => void;
  t.inner.gate = new Promise<void>((r) => (open = r));
  const reading = t.cached.getUserToken(ref);
  await new Promise((r) => setImmediate(r));
  t.inner.gate = undefined;
  await t.cached.updateUserToken(ref, t.oauth(), new Date(Date.now() + HOUR));
  open();
  await reading;
  const reads = t.inner.reads;
  await t.cached.getUserToken(ref);
  expect(t.inner.reads).toBe(reads + 1);
});

it('never caches a dead credential', async () => {
  const t = setup();
  const ref = await t.stored();
  await t.cached.markUserTokenDead(ref);
  await t.cached.getUserToken(ref);
  await t.cached.getUserToken(ref);
  expect(t.inner.reads).toBe(2);
});
