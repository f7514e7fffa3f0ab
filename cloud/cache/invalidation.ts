/**
 * What a session revocation tells every cache: forget one session (by the keyed hash of its secret,
 * or by its record id), every session of one user, or every session of one OAuth grant family.
 * Never the secret itself: the hash is all a cache keys on (storage/codec.ts hashSession).
 * Credential changes travel the same way (this process only): `credential` (a credentialKey: a
 * refresh stored, marked dead, deleted) and `all-credentials` (key rotation); `user` also drops
 * every cached credential of that user (sign out everywhere).
 *
 * The process bus carries them between the caches of one process: Back4App loads main.js and
 * app.js as two bundles with separate module state, so an operator's `revokeUserSessions` (main.js)
 * must reach the cache that /mcp uses (app.js) through `globalThis`, not through a module variable.
 */
import { z } from 'zod';

export const InvalidationSchema = z.object({
  kind: z.enum(['hash', 'id', 'user', 'grant', 'credential', 'all-credentials']),
  value: z.string().min(1).max(256),
});

export type Invalidation = z.infer<typeof InvalidationSchema>;

export type InvalidationListener = (inv: Invalidation) => void;

export interface InvalidationBus {
  /** Returns the unsubscribe function. */
  subscribe(listener: InvalidationListener): () => void;
  /** Calls every listener synchronously (a listener that throws does not stop the others). */
  publish(inv: Invalidation): void;
}

export function createLocalBus(): InvalidationBus {
  const listeners = new Set<InvalidationListener>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    publish(inv) {
      for (const listener of [...listeners]) {
        try {
          listener(inv);
        } catch {
          /* a broken cache must not keep the others stale */
        }
      }
    },
  };
}

// Symbol.for: the same key from both bundles. Versioned, so a future shape change cannot meet an
// old bus left by a bundle of another build in the same process.
const PROCESS_BUS = Symbol.for('airtable-mcp.session-invalidation-bus.v1');

/** The one bus of this process, shared by every bundle loaded into it. */
export function processBus(): InvalidationBus {
  const g = globalThis as { [PROCESS_BUS]?: InvalidationBus };
  g[PROCESS_BUS] ??= createLocalBus();
  return g[PROCESS_BUS];
}
