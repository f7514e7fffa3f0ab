/**
 * Two more server processes on the test database, both with REDIS_URL (STORAGE_BACKEND=redis) on
 * a real redis-server, and a local session cache of 60 s - so a revocation that reaches the other
 * instance at once can only have come through Redis pub/sub. Also: Airtable's single-flight
 * refresh across them, and Redis going away and coming back without breaking anything.
 */
import { Redis } from 'ioredis';
import { redisLayout } from '../../cloud/cache/redis-scripts';
import { harness } from '../harness/env';
import { fakeAdmin, oauthSession, userWithPat } from '../helpers/airtable';
import { startChildStack, type ChildStack } from '../helpers/child-stack';
import { callTool } from '../helpers/mcp';
import { describeWithRedis, startRedis, type RedisServer } from '../helpers/redis';
import { logout, mcpStatus, operatorRevoke, sessionStatus, signIn } from './multi-instance-http';
import { expireStoredAccessToken } from '../helpers/stored-token';

const h = harness();
/** Two instances, each with two bundles (main.js, app.js), each bundle one subscriber. */
const SUBSCRIBERS = 4;

describeWithRedis()('two instances sharing Redis', () => {
  let redis: RedisServer;
  let admin: Redis;
  let a: ChildStack;
  let b: ChildStack;
  const channel = redisLayout(h.secretKey).channel;

  /** Waits until every bundle of both instances listens on the invalidation channel. */
  async function allSubscribed(): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const reply = (await admin.pubsub('NUMSUB', channel)) as [string, number];
      if (Number(reply[1]) === SUBSCRIBERS) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the instances never all subscribed to ${channel}`);
  }

  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url);
    const env = {
      STORAGE_BACKEND: 'redis',
      REDIS_URL: redis.url,
      SESSION_CACHE_TTL_MS: '60000',
    };
    [a, b] = await Promise.all([startChildStack({ env: env }), startChildStack({ env: env })]);
    await allSubscribed();
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    admin?.disconnect();
    await redis?.stop();
  });

  it('a session made on one instance works on the other, both ways', async () => {
    const { pat } = await userWithPat();
    const onA = await signIn(a.url, pat);
    const onB = await signIn(b.url, pat);
    expect(await mcpStatus(onA, b.url)).toBe(200);
    expect(await mcpStatus(onB, a.url)).toBe(200);
    // Redis holds keyed hashes, never a session id
    expect(await admin.keys(`*${onA}*`)).toEqual([]);
  });

  it('a logout on one instance is refused on the other at once', async () => {
    const { pat } = await userWithPat();
    const sessionId = await signIn(a.url, pat);
    expect(await sessionStatus(sessionId, a.url)).toBe(200);
    expect(await sessionStatus(sessionId, b.url)).toBe(200); // cached on b for 60 s
    await logout(a.url, sessionId);
    expect(await sessionStatus(sessionId, b.url)).toBe(401);
    expect(await sessionStatus(sessionId, a.url)).toBe(401);
  });

  it("signing out everywhere on one instance ends the user's sessions on the other at once", async () => {
    const { pat } = await userWithPat();
    const first = await signIn(a.url, pat);
    const second = await signIn(b.url, pat);
    for (const s of [first, second])
      for (const url of [a.url, b.url]) expect(await sessionStatus(s, url)).toBe(200);
    await logout(b.url, second, true);
    expect(await sessionStatus(first, a.url)).toBe(401);
    expect(await sessionStatus(second, a.url)).toBe(401);
  });

  it("the operator's revokeUserSessions (main.js) on one instance reaches the other at once", async () => {
    const { userId, pat } = await userWithPat();
    const sessionId = await signIn(b.url, pat);
    expect(await sessionStatus(sessionId, a.url)).toBe(200);
    expect(await sessionStatus(sessionId, b.url)).toBe(200);
    await operatorRevoke(a.url, userId);
    expect(await sessionStatus(sessionId, b.url)).toBe(401);
    expect(await sessionStatus(sessionId, a.url)).toBe(401);
  });

  it('30 concurrent calls over both instances refresh the Airtable token exactly once', async () => {
    const { userId, sessionId } = await oauthSession();
    await expireStoredAccessToken(userId);
    const before = (await fakeAdmin().stats()).refreshesByUser[userId] ?? 0;
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        callTool(sessionId, 'whoami', {}, i % 2 === 0 ? a.url : b.url),
      ),
    );
    for (const r of results) expect(r.isError).toBeFalsy();
    expect(((await fakeAdmin().stats()).refreshesByUser[userId] ?? 0) - before).toBe(1);
    expect((await callTool(sessionId, 'whoami', {}, b.url)).isError).toBeFalsy();
  });

  it('keeps serving while Redis is down, and revocations cross instances again once it is back', async () => {
    const { pat } = await userWithPat();
    const cached = await signIn(a.url, pat);
    expect(await sessionStatus(cached, b.url)).toBe(200); // in b's local cache
    await redis.stop();
    try {
      // Sessions are checked in the database: new ones work everywhere, revocation works locally.
      const during = await signIn(a.url, pat);
      expect(await mcpStatus(during, b.url)).toBe(200);
      await logout(a.url, during);
      expect(await sessionStatus(during, a.url)).toBe(401);
      // A revocation b cannot hear about now...
      await logout(a.url, cached);
      expect(await sessionStatus(cached, a.url)).toBe(401);
    } finally {
      await redis.restart();
    }
    await allSubscribed();
    // ...is honoured once b has resubscribed: it drops its whole local cache then.
    expect(await sessionStatus(cached, b.url)).toBe(401);
    const after = await signIn(a.url, pat);
    expect(await sessionStatus(after, b.url)).toBe(200);
    await logout(a.url, after);
    expect(await sessionStatus(after, b.url)).toBe(401);
  });
});
