/** STORAGE_BACKEND -> OAuthServerStore: Parse classes unless the app runs on memory storage. */
import type { Config } from '../../config';
import { MemoryOAuthServerStore } from './memory-store';
import { ParseOAuthServerStore } from './parse-store';
import type { OAuthServerStore } from './store';

export function createOAuthServerStore(
  config: Pick<Config, 'storageBackend'>,
  now?: () => Date,
): OAuthServerStore {
  const opts = now ? { now } : {};
  return config.storageBackend === 'memory'
    ? new MemoryOAuthServerStore(now)
    : new ParseOAuthServerStore(opts);
}
