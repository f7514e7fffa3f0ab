/**
 * The per-process cache of decrypted Airtable credentials, so a connection's tool calls do not
 * each read its UserToken row and decrypt it (the largest per-call cost after the session lookup;
 * docs/benchmarks.md). Keyed by the connection's credential (credentialKey), for a few seconds
 * (CREDENTIAL_CACHE_TTL_MS), and never past the moment its access token needs a refresh or the
 * row expires - so a cached entry is never a token the grant would replace.
 *
 * Evicted at once in this process when the credential changes here: a refresh stores a new pair,
 * it is marked dead, deleted (logout, sign out everywhere, the operator's revocation from main.js,
 * through the process bus), or the key-rotation job ran. Another process's refresh shows up as
 * Airtable's 401 for the token we sent, after which the grant re-reads the store (bypassing this
 * cache) - exactly as without the cache. A read in flight while an eviction happens is not stored.
 * Values are handed out as copies: no caller can change what the next one gets.
 */
import { LRUCache } from 'lru-cache';
import type { UserTokenRecord } from '../storage/base';

export interface CredentialCacheOptions {
  /** Longest lifetime of an entry; 0 disables the cache. */
  ttlMs: number;
  /** How long before the access token's expiry an entry must be gone (the refresh margin). */
  refreshMarginMs: number;
  max?: number;
  now?: () => Date;
}

function copy(record: UserTokenRecord): UserTokenRecord {
  return { ...record, credential: { ...record.credential } };
}

export class CredentialCache {
  private readonly ttlMs: number;
  private readonly marginMs: number;
  private readonly now: () => Date;
  private readonly entries: LRUCache<string, UserTokenRecord> | undefined;
  private readonly byUser = new Map<string, Set<string>>();
  /** Counts evictions; a read that started under an older value is not stored. */
  private epochValue = 0;

  constructor(opts: CredentialCacheOptions) {
    this.ttlMs = opts.ttlMs;
    this.marginMs = opts.refreshMarginMs;
    this.now = opts.now ?? (() => new Date());
    if (opts.ttlMs <= 0) return;
    const perf = { now: () => this.now().getTime() };
    this.entries = new LRUCache<string, UserTokenRecord>({
      max: opts.max ?? 10_000,
      ttlResolution: 0,
      perf,
      dispose: (record, key) => this.unindex(record.userId, key),
    });
  }

  get enabled(): boolean {
    return this.entries !== undefined;
  }

  get epoch(): number {
    return this.epochValue;
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }

  get(key: string): UserTokenRecord | undefined {
    const hit = this.entries?.get(key);
    return hit && copy(hit);
  }

  /** Stores `record` read under `epoch`, for at most the TTL and never past its usable life. */
  set(key: string, record: UserTokenRecord, epoch: number): void {
    if (!this.entries || epoch !== this.epochValue || record.status !== 'active') return;
    const now = this.now().getTime();
    let until = Math.min(now + this.ttlMs, record.expiresAt.getTime());
    const access = record.credential.accessExpiresAt;
    if (access) until = Math.min(until, Date.parse(access) - this.marginMs);
    if (!(until > now)) return;
    this.entries.set(key, copy(record), { ttl: until - now });
    const keys = this.byUser.get(record.userId) ?? new Set<string>();
    keys.add(key);
    this.byUser.set(record.userId, keys);
  }

  forget(key: string): void {
    this.epochValue++;
    this.entries?.delete(key);
  }

  forgetUser(userId: string): void {
    this.epochValue++;
    for (const key of [...(this.byUser.get(userId) ?? [])]) this.entries?.delete(key);
  }

  clear(): void {
    this.epochValue++;
    this.entries?.clear();
  }

  private unindex(userId: string, key: string): void {
    const keys = this.byUser.get(userId);
    keys?.delete(key);
    if (keys?.size === 0) this.byUser.delete(userId);
  }
}
