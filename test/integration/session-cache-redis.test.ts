/**
 * The shared session cache on a real redis-server (test/helpers/redis.ts), with CachedStorage over
 * MemoryStorage standing in for instances: records reach a cold instance through Redis, every
 * revocation reaches the other instances' LRU through pub/sub and purges Redis, a fill that raced
 * a revocation writes nothing, and Redis going away never breaks a lookup or a revocation.
 */
import { Redis } from 'ioredis';
import { generateKey } from '../../cloud/crypto/fernet';
import { randomSecret } from '../../cloud/crypto/keyed-hash';
import { RedisSessionCache } from '../../cloud/cache/redis-session-cache';
import { redisLayout } from '../../cloud/cache/redis-scripts';
import { log } from '../../cloud/log';
import type { SessionData, SessionRecord } from '../../cloud/storage/base';
import { CachedStorage } from '../../cloud/storage/cached-store';
import { hashSession } from '../../cloud/storage/codec';
import { createMemoryData, MemoryStorage, type MemoryData } from '../../cloud/storage/memory-store';
import { memoryRows, storageContract } from '../unit/storage-contract';
import { describeWithRedis, startRedis, type RedisServer } from '../helpers/redis';

const HOUR = 3600_000;
const uid = () =>
  `usr${randomSecret(16)
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 14)}`;

/** Polls until `check` holds; pub/sub delivery in one process has no ordering with replies. */
async function eventually(check: () => Promise<boolean>, ms = 1000): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolves once the cache's command connection answers. */
async function ready(cache: RedisSessionCache): Promise<void> {
  if (!(await eventually(async () => (await cache.lookup('0'.repeat(64))) !== undefined, 5_000)))
    throw new Error('the Redis session cache never became ready');
}

class CountingStorage extends MemoryStorage {
  finds = 0;
  override findSession(secret: string): Promise<SessionRecord | null> {
    this.finds++;
    return super.findSession(secret);
  }
}

describeWithRedis()('shared session cache on redis-server', () => {
  let redis: RedisServer;
  let admin: Redis;
  const secretKey = randomSecret(32);
  const key = generateKey();
  const layout = redisLayout(secretKey);
  const open: CachedStorage[] = [];

  /** One "instance": its own LRU (60 s, so only pub/sub can explain a prompt eviction). */
  function instance(data: MemoryData, ttlMs = 60_000) {
    const inner = new CountingStorage({ secretKey, encryptionKeys: [key], data });
    const shared = new RedisSessionCache({ url: redis.url, secretKey, ttlMs: 120_000 });
    const cached = new CachedStorage({ inner, secretKey, ttlMs, shared });
    open.push(cached);
    return { inner, shared, cached };
  }

  /** Waits until exactly `n` subscribers listen on our channel (connections are asynchronous). */
  async function subscribers(n: number): Promise<void> {
    const ok = await eventually(async () => {
      const reply = (await admin.pubsub('NUMSUB', layout.channel)) as [string, number];
      return Number(reply[1]) === n;
    }, 10_000);
    if (!ok) throw new Error(`fewer than ${n} subscribers on ${layout.channel}`);
  }

  const session = (s: CachedStorage, userId = uid(), extra: Partial<SessionData> = {}) =>
    s.createSession(userId, { platform: 'claude', kind: 'session', ...extra }, HOUR);

  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    admin?.disconnect();
    await redis?.stop();
  });

  describe('contract', () => {
    // Its own SECRET_KEY, hence its own namespace and channel; closed at the end only.
    const contractKey = randomSecret(32);
    const data = createMemoryData();
    const stores: CachedStorage[] = [];
    // store() is synchronous: hand out connections that are ready, or Redis would sit unused.
    const pool: RedisSessionCache[] = [];
    afterAll(async () => {
      await Promise.all(stores.map((s) => s.close()));
      await Promise.all(pool.map((c) => c.close()));
    });
    storageContract('CachedStorage + Redis over MemoryStorage', async () => {
      for (let i = 0; i < 12; i++)
        pool.push(
          new RedisSessionCache({ url: redis.url, secretKey: contractKey, ttlMs: 120_000 }),
        );
      for (const c of pool) await ready(c);
      return {
        secretKey: contractKey,
        key,
        store: (opts = {}) => {
          const cached = new CachedStorage({
            inner: new MemoryStorage({
              secretKey: contractKey,
              encryptionKeys: opts.keys ?? [key],
              data,
              ...(opts.now ? { now: opts.now } : {}),
            }),
            secretKey: contractKey,
            ttlMs: 5_000,
            shared:
              pool.shift() ??
              new RedisSessionCache({ url: redis.url, secretKey: contractKey, ttlMs: 120_000 }),
            ...(opts.now ? { now: opts.now } : {}),
          });
          stores.push(cached);
          return cached;
        },
        ...memoryRows(data, contractKey, key),
      };
    });
  });

  it('a cold instance gets the record from Redis, not from its database', async () => {
    const a = instance(createMemoryData());
    const cold = instance(createMemoryData()); // an empty database: only Redis can answer
    await subscribers(2);
    const { secret, record } = await session(a.cached);
    expect(await a.cached.findSession(secret)).not.toBeNull();
    const found = await cold.cached.findSession(secret);
    expect(found).toEqual(record);
    expect(cold.inner.finds).toBe(0);
    // Redis holds the keyed hash and the record - never the secret
    const stored = await admin.get(layout.record(hashSession(secretKey, secret)));
    expect(stored).toContain(record.id);
    expect(stored).not.toContain(secret);
    expect(await admin.keys(`*${secret}*`)).toEqual([]);
  });

  it.each([
    [
      'revokeSession',
      (s: CachedStorage, x: { secret: string; record: SessionRecord }) => s.revokeSession(x.secret),
    ],
    [
      'revokeSessionById',
      (s: CachedStorage, x: { secret: string; record: SessionRecord }) =>
        s.revokeSessionById(x.record.id),
    ],
    [
      'revokeUserSessions',
      (s: CachedStorage, x: { secret: string; record: SessionRecord }) =>
        s.revokeUserSessions(x.record.userId),
    ],
    [
      'revokeGrantSessions',
      (s: CachedStorage, x: { secret: string; record: SessionRecord }) =>
        s.revokeGrantSessions(x.record.data.grantId!),
    ],
  ])('%s on one instance evicts the others and purges Redis', async (_name, revoke) => {
    const data = createMemoryData();
    const a = instance(data);
    const b = instance(data);
    await subscribers(2);
    const made = await session(a.cached, uid(), {
      kind: 'mcp_access',
      grantId: `g-${randomSecret(16)}`,
    });
    expect(await a.cached.findSession(made.secret)).not.toBeNull(); // fills Redis
    expect(await b.cached.findSession(made.secret)).not.toBeNull(); // b's LRU, 60 s
    await revoke(a.cached, made);
    expect(await admin.exists(layout.record(hashSession(secretKey, made.secret)))).toBe(0);
    expect(await eventually(async () => (await b.cached.findSession(made.secret)) === null)).toBe(
      true,
    );
  });

  it('a fill that raced a revocation writes nothing (epoch)', async () => {
    const shared = new RedisSessionCache({ url: redis.url, secretKey, ttlMs: 120_000 });
    open.push(
      new CachedStorage({
        inner: new MemoryStorage({ secretKey, encryptionKeys: [key] }),
        secretKey,
        ttlMs: 0,
        shared,
      }),
    );
    await ready(shared);
    const hash = 'a'.repeat(64);
    const seen = (await shared.lookup(hash))!;
    expect(seen.record).toBeNull();
    await shared.invalidate({ kind: 'user', value: uid() }); // any revocation, anywhere
    const record: SessionRecord = {
      id: 'r1',
      userId: uid(),
      data: { platform: 'x', kind: 'session' },
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + HOUR),
    };
    await shared.fill(hash, record, seen.epoch);
    expect(await admin.exists(layout.record(hash))).toBe(0);
    await shared.fill(hash, record, (await shared.lookup(hash))!.epoch);
    expect(await admin.exists(layout.record(hash))).toBe(1);
  });

  it('keeps working while Redis is down, logs the outage once, and resumes when it is back', async () => {
    const data = createMemoryData();
    const a = instance(data, 5_000);
    const b = instance(data, 5_000);
    await subscribers(2);
    const warn = jest.spyOn(log, 'warn');
    try {
      await redis.stop();
      // lookups and revocations go to the database, nothing throws
      const during = await session(a.cached);
      expect(await b.cached.findSession(during.secret)).not.toBeNull();
      expect(await a.cached.revokeSession(during.secret)).toBe(true);
      expect(await a.cached.findSession(during.secret)).toBeNull();
      await new Promise((r) => setTimeout(r, 1_500)); // several reconnect attempts
      const outageLogs = warn.mock.calls.filter((c) => String(c[1]).includes('Redis'));
      // one line per connection (command + subscriber) of each of the two instances, not per attempt
      expect(outageLogs.length).toBeGreaterThan(0);
      expect(outageLogs.length).toBeLessThanOrEqual(2 * 2);
      for (const call of outageLogs) expect(JSON.stringify(call)).not.toContain(redis.url);
    } finally {
      warn.mockRestore();
      await redis.restart();
    }
    await subscribers(2); // the restarted server knows no one: both resubscribe
    const after = await session(a.cached);
    expect(await a.cached.findSession(after.secret)).not.toBeNull();
    expect(await b.cached.findSession(after.secret)).not.toBeNull();
    await a.cached.revokeSession(after.secret);
    expect(await eventually(async () => (await b.cached.findSession(after.secret)) === null)).toBe(
      true,
    );
  });
});
