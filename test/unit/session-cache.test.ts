/**
 * The per-process session cache (cloud/storage/cached-store.ts) over MemoryStorage: hits skip the
 * store, entries expire with the TTL and never outlive the session, revocation through any path
 * evicts at once (also in the other bundle of the same process), "no such session" is remembered
 * for a second only, and a lookup racing a revocation never caches what it read before it.
 */
import { ConfigError, loadConfig } from '../../cloud/config';
import { generateKey } from '../../cloud/crypto/fernet';
import { randomSecret } from '../../cloud/crypto/keyed-hash';
import { createLocalBus, processBus } from '../../cloud/cache/invalidation';
import { decodeRecord, encodeRecord } from '../../cloud/cache/redis-record';
import type { SessionData, SessionRecord, Storage } from '../../cloud/storage/base';
import { CachedStorage } from '../../cloud/storage/cached-store';
import { createStorage } from '../../cloud/storage';
import { ParseStorage } from '../../cloud/storage/parse-store';
import { encodeSessionData, hashSession } from '../../cloud/storage/codec';
import { createMemoryData, MemoryStorage, type MemoryData } from '../../cloud/storage/memory-store';
import { memoryRows, storageContract } from './storage-contract';

const HOUR = 3600_000;
const TTL = 5_000;

function clock(start = Date.now()) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => void (t += ms) };
}

const uid = () =>
  `usr${randomSecret(16)
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 14)}`;

/** A MemoryStorage whose findSession calls are counted, and can be held back. */
class CountingStorage extends MemoryStorage {
  finds = 0;
  gate: Promise<void> | undefined;
  override async findSession(secret: string): Promise<SessionRecord | null> {
    this.finds++;
    const result = await super.findSession(secret); // read first, like a database round trip
    if (this.gate) await this.gate;
    return result;
  }
}

function setup(opts: { ttlMs?: number; data?: MemoryData } = {}) {
  const c = clock();
  const secretKey = randomSecret(32);
  const data = opts.data ?? createMemoryData();
  const inner = new CountingStorage({
    secretKey,
    encryptionKeys: [generateKey()],
    now: c.now,
    data,
  });
  const cached = new CachedStorage({
    inner,
    secretKey,
    ttlMs: opts.ttlMs ?? TTL,
    now: c.now,
  });
  const session = (userId = uid(), extra: Partial<SessionData> = {}, ttl = HOUR) =>
    cached.createSession(userId, { platform: 'claude', kind: 'session', ...extra }, ttl);
  /** Deletes the row behind the cache's back (what another instance's revocation does). */
  const deleteRow = (id: string) => data.sessions.delete(id);
  return { c, secretKey, data, inner, cached, session, deleteRow };
}

storageContract('CachedStorage over MemoryStorage', () => {
  const data = createMemoryData();
  const secretKey = randomSecret(32);
  const key = generateKey();
  return {
    secretKey,
    key,
    store: (opts = {}) =>
      new CachedStorage({
        inner: new MemoryStorage({
          secretKey,
          encryptionKeys: opts.keys ?? [key],
          data,
          ...(opts.now ? { now: opts.now } : {}),
        }),
        secretKey,
        ttlMs: TTL,
        credentialTtlMs: TTL, // the contract holds with the credential cache on too
        ...(opts.now ? { now: opts.now } : {}),
      }),
    ...memoryRows(data, secretKey, key),
  };
});

describe('CachedStorage: hits', () => {
  it('answers repeated lookups from memory, one store read in all', async () => {
    const t = setup();
    const { secret, record } = await t.session();
    for (let i = 0; i < 10; i++) expect((await t.cached.findSession(secret))?.id).toBe(record.id);
    expect(t.inner.finds).toBe(1);
  });

  it('concurrent cold lookups of one secret share one store read', async () => {
    const t = setup();
    const { secret } = await t.session();
    const found = await Promise.all(Array.from({ length: 20 }, () => t.cached.findSession(secret)));
    expect(found.every((r) => r !== null)).toBe(true);
    expect(t.inner.finds).toBe(1);
  });

  it('hands out copies: a caller changing its record does not change the next one', async () => {
    const t = setup();
    const { secret } = await t.session(uid(), { kind: 'mcp_access', scopes: ['airtable'] });
    const first = (await t.cached.findSession(secret))!;
    first.data.scopes!.push('admin');
    first.userId = 'usrMallory';
    const second = (await t.cached.findSession(secret))!;
    expect(second.data.scopes).toEqual(['airtable']);
    expect(second.userId).not.toBe('usrMallory');
  });
});

describe('CachedStorage: expiry', () => {
  it('keeps an entry for the TTL, then asks the store again', async () => {
    const t = setup();
    const { secret, record } = await t.session();
    await t.cached.findSession(secret);
    t.deleteRow(record.id); // gone from the database, not from this cache
    t.c.advance(TTL - 10);
    expect(await t.cached.findSession(secret)).not.toBeNull(); // the documented staleness
    t.c.advance(20);
    expect(await t.cached.findSession(secret)).toBeNull();
    expect(t.inner.finds).toBe(2);
  });

  it('never serves a session past its own expiry, whatever the TTL', async () => {
    const t = setup({ ttlMs: 60_000 });
    const { secret } = await t.session(uid(), {}, 2_000);
    expect(await t.cached.findSession(secret)).not.toBeNull();
    t.c.advance(2_001);
    expect(await t.cached.findSession(secret)).toBeNull();
  });

  it('SESSION_CACHE_TTL_MS=0 turns the cache off', async () => {
    const t = setup({ ttlMs: 0 });
    const { secret } = await t.session();
    await t.cached.findSession(secret);
    await t.cached.findSession(secret);
    expect(await t.cached.findSession(randomSecret(32))).toBeNull();
    expect(await t.cached.findSession(randomSecret(32))).toBeNull();
    expect(t.inner.finds).toBe(4);
    expect(t.cached.cachedSessions).toBe(0);
  });
});

describe('CachedStorage: revocation evicts at once', () => {
  it.each([
    [
      'revokeSession',
      (s: Storage, x: { secret: string; record: SessionRecord }) => s.revokeSession(x.secret),
    ],
    [
      'revokeSessionById',
      (s: Storage, x: { secret: string; record: SessionRecord }) =>
        s.revokeSessionById(x.record.id),
    ],
    [
      'revokeUserSessions',
      (s: Storage, x: { secret: string; record: SessionRecord }) =>
        s.revokeUserSessions(x.record.userId),
    ],
    [
      'revokeGrantSessions',
      (s: Storage, x: { secret: string; record: SessionRecord }) =>
        s.revokeGrantSessions(x.record.data.grantId!),
    ],
  ])('%s', async (_name, revoke) => {
    const t = setup({ ttlMs: 60_000 });
    const made = await t.session(uid(), {
      kind: 'mcp_access',
      grantId: `grant-${randomSecret(16)}`,
    });
    expect(await t.cached.findSession(made.secret)).not.toBeNull();
    await revoke(t.cached, made);
    expect(await t.cached.findSession(made.secret)).toBeNull();
  });

  it("per user: every cached session of that user goes, other users' stay cached", async () => {
    const t = setup({ ttlMs: 60_000 });
    const alice = uid();
    const bob = uid();
    const a1 = await t.session(alice);
    const a2 = await t.session(alice, { kind: 'mcp_access', grantId: 'g-a' });
    const b1 = await t.session(bob);
    for (const s of [a1, a2, b1]) await t.cached.findSession(s.secret);
    expect(t.cached.cachedSessions).toBe(3);
    const reads = t.inner.finds;
    expect(await t.cached.revokeUserSessions(alice)).toBe(2);
    expect(await t.cached.findSession(a1.secret)).toBeNull();
    expect(await t.cached.findSession(a2.secret)).toBeNull();
    expect(await t.cached.findSession(b1.secret)).not.toBeNull();
    expect(t.inner.finds).toBe(reads + 2); // bob's came from the cache
  });

  it('per grant: only that grant family goes', async () => {
    const t = setup({ ttlMs: 60_000 });
    const user = uid();
    const g1 = await t.session(user, { kind: 'mcp_access', grantId: 'g-1' });
    const g2 = await t.session(user, { kind: 'mcp_access', grantId: 'g-2' });
    await t.cached.findSession(g1.secret);
    await t.cached.findSession(g2.secret);
    await t.cached.revokeGrantSessions('g-1');
    expect(await t.cached.findSession(g1.secret)).toBeNull();
    expect(await t.cached.findSession(g2.secret)).not.toBeNull();
  });

  it('evicts even when the store fails to delete', async () => {
    const t = setup({ ttlMs: 60_000 });
    const { secret } = await t.session();
    await t.cached.findSession(secret);
    t.inner.revokeSession = () => Promise.reject(new Error('database down'));
    await expect(t.cached.revokeSession(secret)).rejects.toThrow('database down');
    const reads = t.inner.finds;
    await t.cached.findSession(secret);
    expect(t.inner.finds).toBe(reads + 1);
  });

  it('a lookup in flight during a revocation does not cache what it read before it', async () => {
    const t = setup({ ttlMs: 60_000 });
    const { secret, record } = await t.session();
    let open!: () => void;
    t.inner.gate = new Promise<void>((r) => (open = r));
    const racing = t.cached.findSession(secret); // reads the row, then waits at the gate
    await new Promise((r) => setImmediate(r));
    t.inner.gate = undefined;
    await t.cached.revokeSessionById(record.id);
    open();
    expect(await racing).not.toBeNull(); // it started before the revocation
    expect(await t.cached.findSession(secret)).toBeNull(); // and left nothing behind
  });
});

describe('CachedStorage: lookups racing revocations of others', () => {
  it("another user's revocation during a lookup does not stop it from caching", async () => {
    const t = setup({ ttlMs: 60_000 });
    const mine = await t.session();
    const theirs = await t.session();
    let open!: () => void;
    t.inner.gate = new Promise<void>((r) => (open = r));
    const racing = t.cached.findSession(mine.secret);
    await new Promise((r) => setImmediate(r));
    t.inner.gate = undefined;
    await t.cached.revokeUserSessions(theirs.record.userId);
    await t.cached.revokeSessionById(theirs.record.id);
    open();
    expect(await racing).not.toBeNull();
    const reads = t.inner.finds;
    expect(await t.cached.findSession(mine.secret)).not.toBeNull();
    expect(t.inner.finds).toBe(reads); // cached
  });

  it('more revocations during one lookup than it can check: nothing is cached', async () => {
    const t = setup({ ttlMs: 60_000 });
    const mine = await t.session();
    let open!: () => void;
    t.inner.gate = new Promise<void>((r) => (open = r));
    const racing = t.cached.findSession(mine.secret);
    await new Promise((r) => setImmediate(r));
    t.inner.gate = undefined;
    for (let i = 0; i < 300; i++) await t.cached.revokeGrantSessions(`g-${i}`);
    open();
    expect(await racing).not.toBeNull();
    const reads = t.inner.finds;
    await t.cached.findSession(mine.secret);
    expect(t.inner.finds).toBe(reads + 1);
  });
});

describe('CachedStorage: caches of one process (main.js and app.js bundles)', () => {
  it('a revocation through one evicts the other at once when they share the bus', async () => {
    const bus = createLocalBus();
    const data = createMemoryData();
    const secretKey = randomSecret(32);
    const key = generateKey();
    const make = () =>
      new CachedStorage({
        inner: new MemoryStorage({ secretKey, encryptionKeys: [key], data }),
        secretKey,
        ttlMs: 60_000,
        bus,
      });
    const app = make();
    const main = make();
    const { secret, record } = await app.createSession(
      uid(),
      { platform: 'x', kind: 'session' },
      HOUR,
    );
    expect(await app.findSession(secret)).not.toBeNull();
    await main.revokeUserSessions(record.userId);
    expect(await app.findSession(secret)).toBeNull();
  });

  it('without a shared bus (two instances, no Redis) the other keeps its entry until the TTL', async () => {
    const c = clock();
    const data = createMemoryData();
    const secretKey = randomSecret(32);
    const key = generateKey();
    const make = () =>
      new CachedStorage({
        inner: new MemoryStorage({ secretKey, encryptionKeys: [key], data, now: c.now }),
        secretKey,
        ttlMs: TTL,
        now: c.now,
      });
    const a = make();
    const b = make();
    const { secret } = await a.createSession(uid(), { platform: 'x', kind: 'session' }, HOUR);
    expect(await b.findSession(secret)).not.toBeNull();
    await a.revokeSession(secret);
    expect(await a.findSession(secret)).toBeNull();
    expect(await b.findSession(secret)).not.toBeNull();
    c.advance(TTL + 1);
    expect(await b.findSession(secret)).toBeNull();
  });

  it('processBus() is one object per process, whoever asks', () => {
    expect(processBus()).toBe(processBus());
  });
});

describe('CachedStorage: negative cache', () => {
  it('remembers "no such session" for one second only', async () => {
    const t = setup({ ttlMs: 60_000 });
    const wrong = randomSecret(32);
    for (let i = 0; i < 5; i++) expect(await t.cached.findSession(wrong)).toBeNull();
    expect(t.inner.finds).toBe(1);
    // the secret becomes valid behind the cache's back (another instance created it)
    const now = t.c.now();
    t.data.sessions.set('row1', {
      id: 'row1',
      sessionId: hashSession(t.secretKey, wrong),
      userId: uid(),
      data: encodeSessionData({ platform: 'x', kind: 'session' }),
      grantId: undefined,
      credentialId: undefined,
      createdAt: now,
      expiresAt: new Date(now.getTime() + HOUR),
    });
    t.c.advance(999);
    expect(await t.cached.findSession(wrong)).toBeNull();
    t.c.advance(2);
    expect((await t.cached.findSession(wrong))?.id).toBe('row1');
  });
});

describe('Redis record codec', () => {
  const record: SessionRecord = {
    id: 'abc123',
    userId: 'usrAAAAAAAAAAAAAA',
    data: { platform: 'claude', kind: 'mcp_access', scopes: ['airtable'], grantId: 'g' },
    createdAt: new Date('2026-01-01T00:00:00.000Z'),
    expiresAt: new Date('2026-01-01T01:00:00.000Z'),
  };

  it('round-trips a record', () => {
    expect(decodeRecord(encodeRecord(record))).toEqual(record);
  });

  it('treats anything else as a miss', () => {
    for (const raw of [
      '',
      'null',
      '{}',
      '{"v":2}',
      JSON.stringify({ ...JSON.parse(encodeRecord(record)), data: '{' }),
    ])
      expect(decodeRecord(raw)).toBeUndefined();
  });
});

describe('session cache configuration', () => {
  const good = {
    SECRET_KEY: 'x'.repeat(40),
    ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64url'),
  };

  it('defaults: 5 s locally, 2 min in Redis, no Redis', () => {
    const c = loadConfig(good);
    expect(c.sessionCacheTtlMs).toBe(5_000);
    expect(c.sessionCacheRedisTtlMs).toBe(120_000);
    expect(c.redisUrl).toBeUndefined();
  });

  it('SESSION_CACHE_TTL_MS=0 is allowed (off); negative or huge values are refused by name', () => {
    expect(loadConfig({ ...good, SESSION_CACHE_TTL_MS: '0' }).sessionCacheTtlMs).toBe(0);
    expect(() => loadConfig({ ...good, SESSION_CACHE_TTL_MS: '-1' })).toThrow(
      /SESSION_CACHE_TTL_MS/,
    );
    expect(() => loadConfig({ ...good, SESSION_CACHE_TTL_MS: '3600000' })).toThrow(
      /SESSION_CACHE_TTL_MS/,
    );
  });

  it('REDIS_URL must be a redis URL, and a bad one is never echoed (it may hold a password)', () => {
    expect(loadConfig({ ...good, REDIS_URL: 'rediss://u:p@h:6380/0' }).redisUrl).toBe(
      'rediss://u:p@h:6380/0',
    );
    try {
      loadConfig({ ...good, REDIS_URL: 'http://user:hunter2@redis.example' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/REDIS_URL must be a redis:\/\//);
      expect((err as Error).message).not.toContain('hunter2');
    }
  });

  it('STORAGE_BACKEND=redis needs REDIS_URL', () => {
    expect(() => loadConfig({ ...good, STORAGE_BACKEND: 'redis' })).toThrow(/REDIS_URL/);
  });
});

describe('createStorage', () => {
  const env = {
    SECRET_KEY: 'x'.repeat(40),
    ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64url'),
  };

  it('puts the caches in front of Parse, unless both TTLs are 0 and there is no Redis', () => {
    expect(createStorage(loadConfig(env))).toBeInstanceOf(CachedStorage);
    expect(createStorage(loadConfig({ ...env, SESSION_CACHE_TTL_MS: '0' }))).toBeInstanceOf(
      CachedStorage,
    );
    expect(
      createStorage(
        loadConfig({ ...env, SESSION_CACHE_TTL_MS: '0', CREDENTIAL_CACHE_TTL_MS: '0' }),
      ),
    ).toBeInstanceOf(ParseStorage);
    expect(createStorage(loadConfig({ ...env, STORAGE_BACKEND: 'memory' }))).toBeInstanceOf(
      MemoryStorage,
    );
  });
});
