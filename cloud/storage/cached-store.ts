/**
 * A Storage that remembers verified sessions, so most /mcp calls make no database round trip:
 *
 *   findSession: per-process LRU (SESSION_CACHE_TTL_MS, default 5 s, never past the session's own
 *   expiry; "no such session" for at most 1 s) -> shared Redis cache when REDIS_URL is set -> the
 *   wrapped store (Parse, the store of record). Concurrent lookups of one secret share one read.
 *
 * Revocation: the wrapped store deletes first, then every cache is told (also when the delete
 * failed, to be safe): this process's caches at once through the process bus (main.js and app.js
 * are separate bundles: cache/invalidation.ts), other instances through Redis pub/sub. Without
 * Redis, another instance may accept a revoked session until its local entry expires
 * (SESSION_CACHE_TTL_MS) - the price of not asking the database on every call.
 *
 * Stored Airtable credentials: a per-process cache of the decrypted record for a few seconds
 * (cache/credential-cache.ts: CREDENTIAL_CACHE_TTL_MS, never past the access token's refresh
 * point), evicted at once in this process by every write here and by the process bus. `fresh`
 * reads (the refresh path) always go to the store. Never in Redis.
 *
 * Everything else passes straight through: states and refresh claims are never cached.
 */
import type { Invalidation, InvalidationBus } from '../cache/invalidation';
import { createLocalBus } from '../cache/invalidation';
import type { SharedSessionCache } from '../cache/redis-session-cache';
import { CredentialCache } from '../cache/credential-cache';
import { SessionLru } from '../cache/session-lru';
import {
  credentialKey,
  REFRESH_MARGIN_MS,
  type AirtableCredential,
  type CredentialRef,
  type OAuthStateData,
  type SessionData,
  type SessionRecord,
  type Storage,
  type UserTokenRecord,
} from './base';
import { hashSession } from './codec';

export interface CachedStorageOptions {
  inner: Storage;
  /** SECRET_KEY: caches key on the same keyed hash the store keeps, never on the secret. */
  secretKey: string;
  /** Local positive TTL (SESSION_CACHE_TTL_MS); 0 turns the local cache off. */
  ttlMs: number;
  /** Local negative TTL; default min(1 s, ttlMs). */
  negativeTtlMs?: number;
  maxEntries?: number;
  now?: () => Date;
  /** Caches of this process to keep in step; default a private bus (tests). */
  bus?: InvalidationBus;
  /** Shared cache across instances (Redis). */
  shared?: SharedSessionCache;
  /** Per-process decrypted credentials (CREDENTIAL_CACHE_TTL_MS); 0 or absent: off. */
  credentialTtlMs?: number;
}

/** Callers get their own copy: nobody can alter what the cache hands to the next request. */
function copy(record: SessionRecord): SessionRecord {
  const data = {
    ...record.data,
    ...(record.data.scopes ? { scopes: [...record.data.scopes] } : {}),
  };
  return { ...record, data };
}

export class CachedStorage implements Storage {
  private readonly inner: Storage;
  private readonly secretKey: string;
  private readonly lru: SessionLru;
  private readonly bus: InvalidationBus;
  private readonly shared: SharedSessionCache | undefined;
  private readonly now: () => Date;
  private readonly unsubscribe: () => void;
  private readonly inFlight = new Map<string, Promise<SessionRecord | null>>();
  private readonly credentials: CredentialCache;

  constructor(opts: CachedStorageOptions) {
    this.inner = opts.inner;
    this.secretKey = opts.secretKey;
    this.lru = new SessionLru({
      ttlMs: opts.ttlMs,
      ...(opts.negativeTtlMs !== undefined ? { negativeTtlMs: opts.negativeTtlMs } : {}),
      ...(opts.maxEntries !== undefined ? { max: opts.maxEntries } : {}),
      ...(opts.now ? { now: opts.now } : {}),
    });
    this.credentials = new CredentialCache({
      ttlMs: opts.credentialTtlMs ?? 0,
      refreshMarginMs: REFRESH_MARGIN_MS,
      ...(opts.now ? { now: opts.now } : {}),
    });
    this.bus = opts.bus ?? createLocalBus();
    this.shared = opts.shared;
    this.now = opts.now ?? (() => new Date());
    this.unsubscribe = this.bus.subscribe((inv) => this.forget(inv));
    this.shared?.attach({ invalidate: (inv) => this.forget(inv), resync: () => this.resync() });
  }

  /** How many verified sessions this process holds (diagnostics and tests). */
  get cachedSessions(): number {
    return this.lru.size;
  }

  /** How many decrypted credentials this process holds (diagnostics and tests). */
  get cachedCredentials(): number {
    return this.credentials.size;
  }

  private forget(inv: Invalidation): void {
    if (inv.kind === 'credential') return this.credentials.forget(inv.value);
    if (inv.kind === 'all-credentials') return this.credentials.clear();
    if (inv.kind === 'user') this.credentials.forgetUser(inv.value);
    this.lru.apply(inv);
    this.inFlight.clear(); // a lookup started before the revocation must not be joined after it
  }

  /** A credential changed here: every cache of this process drops it (other processes: 401). */
  private credentialChanged(ref: CredentialRef): void {
    this.bus.publish({ kind: 'credential', value: credentialKey(ref) });
  }

  private resync(): void {
    this.lru.clear();
    this.inFlight.clear();
  }

  /** Every cache in this process now, every other instance through the shared cache. */
  private async invalidate(inv: Invalidation): Promise<void> {
    this.bus.publish(inv);
    await this.shared?.invalidate(inv);
  }

  // --- UserSession --------------------------------------------------------------------------

  async findSession(secret: string): Promise<SessionRecord | null> {
    const hash = hashSession(this.secretKey, secret);
    const local = this.lru.get(hash);
    if (local !== undefined) return local && copy(local);
    let pending = this.inFlight.get(hash);
    if (!pending) {
      pending = this.lookup(hash, secret).finally(() => {
        if (this.inFlight.get(hash) === pending) this.inFlight.delete(hash);
      });
      this.inFlight.set(hash, pending);
    }
    const record = await pending;
    return record && copy(record);
  }

  private async lookup(hash: string, secret: string): Promise<SessionRecord | null> {
    const epoch = this.lru.epoch;
    const fromShared = this.shared ? await this.shared.lookup(hash) : undefined;
    // Redis expires it on time too; this check is against our own clock.
    if (fromShared?.record && fromShared.record.expiresAt > this.now()) {
      this.lru.set(hash, fromShared.record, epoch);
      return fromShared.record;
    }
    const record = await this.inner.findSession(secret);
    if (!record) {
      this.lru.setMissing(hash);
      return null;
    }
    this.lru.set(hash, record, epoch);
    if (fromShared && this.shared) await this.shared.fill(hash, record, fromShared.epoch);
    return record;
  }

  async createSession(
    userId: string,
    data: SessionData,
    ttlMs: number,
  ): Promise<{ secret: string; record: SessionRecord }> {
    const created = await this.inner.createSession(userId, data, ttlMs);
    this.lru.forgetMissing(hashSession(this.secretKey, created.secret));
    return created;
  }

  async revokeSession(secret: string): Promise<boolean> {
    try {
      return await this.inner.revokeSession(secret);
    } finally {
      await this.invalidate({ kind: 'hash', value: hashSession(this.secretKey, secret) });
    }
  }

  async revokeSessionById(id: string): Promise<boolean> {
    try {
      return await this.inner.revokeSessionById(id);
    } finally {
      await this.invalidate({ kind: 'id', value: id });
    }
  }

  async revokeUserSessions(userId: string): Promise<number> {
    try {
      return await this.inner.revokeUserSessions(userId);
    } finally {
      await this.invalidate({ kind: 'user', value: userId });
    }
  }

  async revokeGrantSessions(grantId: string): Promise<number> {
    try {
      return await this.inner.revokeGrantSessions(grantId);
    } finally {
      await this.invalidate({ kind: 'grant', value: grantId });
    }
  }

  listUserSessions(userId: string): Promise<SessionRecord[]> {
    return this.inner.listUserSessions(userId);
  }

  /** Stops listening and closes the shared cache's connections. */
  async close(): Promise<void> {
    this.unsubscribe();
    await this.shared?.close();
  }

  // --- Passed through -----------------------------------------------------------------------

  createState(state: string, data: OAuthStateData, ttlMs: number): Promise<void> {
    return this.inner.createState(state, data, ttlMs);
  }

  consumeState(state: string): Promise<OAuthStateData | null> {
    return this.inner.consumeState(state);
  }

  createUserToken(
    userId: string,
    credential: AirtableCredential,
    expiresAt: Date,
  ): Promise<string> {
    return this.inner.createUserToken(userId, credential, expiresAt);
  }

  async getUserToken(
    ref: CredentialRef,
    opts: { fresh?: boolean } = {},
  ): Promise<UserTokenRecord | null> {
    const key = credentialKey(ref);
    if (!opts.fresh) {
      const hit = this.credentials.get(key);
      if (hit) return hit;
    }
    const epoch = this.credentials.epoch;
    const record = await this.inner.getUserToken(ref, opts);
    if (record) this.credentials.set(key, record, epoch);
    return record;
  }

  async updateUserToken(
    ref: CredentialRef,
    credential: AirtableCredential,
    expiresAt: Date,
  ): Promise<void> {
    try {
      await this.inner.updateUserToken(ref, credential, expiresAt);
    } finally {
      this.credentialChanged(ref);
    }
  }

  async deleteUserToken(ref: CredentialRef): Promise<void> {
    try {
      await this.inner.deleteUserToken(ref);
    } finally {
      this.credentialChanged(ref);
    }
  }

  async deleteUserTokens(userId: string): Promise<number> {
    try {
      return await this.inner.deleteUserTokens(userId);
    } finally {
      this.bus.publish({ kind: 'user', value: userId });
    }
  }

  async markUserTokenDead(ref: CredentialRef): Promise<void> {
    try {
      await this.inner.markUserTokenDead(ref);
    } finally {
      this.credentialChanged(ref);
    }
  }

  async extendUserTokenExpiry(ref: CredentialRef, until: Date): Promise<void> {
    await this.inner.extendUserTokenExpiry(ref, until);
    this.credentialChanged(ref);
  }

  async claimRefresh(ref: CredentialRef, seenClaim: number, leaseMs: number): Promise<boolean> {
    try {
      return await this.inner.claimRefresh(ref, seenClaim, leaseMs);
    } finally {
      this.credentialChanged(ref); // the claim counter moved: a cached copy would show it stale
    }
  }

  credentialHasLiveSessions(ref: CredentialRef, exceptSessionId?: string): Promise<boolean> {
    return this.inner.credentialHasLiveSessions(ref, exceptSessionId);
  }
}
