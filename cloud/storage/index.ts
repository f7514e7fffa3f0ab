/**
 * STORAGE_BACKEND -> Storage (the seed's backends). Parse classes are the store of record;
 * `memory` exists for unit tests and loses everything on restart.
 */
import type { Config } from '../config';
import type { Storage } from './base';
import { MemoryStorage } from './memory-store';
import { ParseStorage } from './parse-store';

export function createStorage(config: Config): Storage {
  const keys = { secretKey: config.secretKey, encryptionKeys: config.encryptionKeys };
  switch (config.storageBackend) {
    case 'memory':
      return new MemoryStorage(keys);
    case 'redis':
      // TODO: the Redis read cache in front of ParseStorage comes later; until then `redis`
      // behaves exactly like `back4app` (Parse stays the store of record either way).
      return new ParseStorage(keys);
    case 'back4app':
      return new ParseStorage(keys);
  }
}

export * from './base';
