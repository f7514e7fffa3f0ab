/**
 * STORAGE_BACKEND -> Storage (the seed's backends). Parse classes are the store of record;
 * `memory` exists for unit tests and loses everything on restart. `back4app` and `redis` both put
 * the session cache in front of Parse (cached-store.ts): a per-process LRU, plus the shared Redis
 * layer whenever REDIS_URL is set (`redis` only insists that it is).
 */
import { processBus } from '../cache/invalidation';
import { RedisSessionCache } from '../cache/redis-session-cache';
import type { Config } from '../config';
import type { Storage } from './base';
import { CachedStorage } from './cached-store';
import { MemoryStorage } from './memory-store';
import { ParseStorage } from './parse-store';

function withSessionCache(config: Config, inner: Storage): Storage {
  const shared = config.redisUrl
    ? new RedisSessionCache({
        url: config.redisUrl,
        secretKey: config.secretKey,
        ttlMs: config.sessionCacheRedisTtlMs,
      })
    : undefined;
  if (config.sessionCacheTtlMs === 0 && config.credentialCacheTtlMs === 0 && !shared) return inner;
  return new CachedStorage({
    inner,
    secretKey: config.secretKey,
    ttlMs: config.sessionCacheTtlMs,
    credentialTtlMs: config.credentialCacheTtlMs,
    // One bus per process: main.js (operator revocations) and app.js (/mcp) are separate bundles.
    bus: processBus(),
    ...(shared ? { shared } : {}),
  });
}

export function createStorage(config: Config): Storage {
  const keys = { secretKey: config.secretKey, encryptionKeys: config.encryptionKeys };
  switch (config.storageBackend) {
    case 'memory':
      return new MemoryStorage(keys);
    case 'redis':
    case 'back4app':
      return withSessionCache(config, new ParseStorage(keys));
  }
}

export * from './base';
