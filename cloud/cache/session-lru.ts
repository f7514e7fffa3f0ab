/**
 * The per-process cache of verified sessions: an LRU (lru-cache) keyed by the keyed hash of the
 * secret, holding the SessionRecord for a short TTL that never outlives the record's own expiry,
 * plus a shorter-lived cache of "no such session" answers (so a client hammering one wrong secret
 * costs one lookup per second, while a brand-new session is never invisible for longer than that).
 *
 * Revocation evicts at once through indexes by user, grant and record id. A lookup that was in
 * flight while an invalidation arrived must not store what it read before the revocation: `epoch`
 * counts invalidations, callers take it before reading, and `set` refuses a record that any
 * invalidation since then concerns (the last RECENT ones are kept; older gaps refuse everything),
 * so revocations of other users do not keep a busy process from caching.
 */
import { LRUCache } from 'lru-cache';
import type { SessionRecord } from '../storage/base';
import type { Invalidation } from './invalidation';

export interface SessionLruOptions {
  /** Lifetime of a positive entry (capped by the record's expiresAt); 0 disables the cache. */
  ttlMs: number;
  /** Lifetime of a negative entry; default min(1 s, ttlMs). */
  negativeTtlMs?: number;
  /** Most entries kept (positive and negative each); default 10,000. */
  max?: number;
  now?: () => Date;
}

/** Invalidations remembered for `set` to check a lookup against. */
const RECENT = 256;

function concerns(inv: Invalidation | 'all', hash: string, record: SessionRecord): boolean {
  if (inv === 'all') return true;
  switch (inv.kind) {
    case 'hash':
      return inv.value === hash;
    case 'id':
      return inv.value === record.id;
    case 'user':
      return inv.value === record.userId;
    case 'grant':
      return inv.value === record.data.grantId;
    case 'credential':
    case 'all-credentials':
      return false; // about stored credentials, not sessions (credential-cache.ts)
  }
}

function addTo(index: Map<string, Set<string>>, key: string, hash: string): void {
  const set = index.get(key);
  if (set) set.add(hash);
  else index.set(key, new Set([hash]));
}

function removeFrom(index: Map<string, Set<string>>, key: string, hash: string): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(hash);
  if (set.size === 0) index.delete(key);
}

export class SessionLru {
  readonly enabled: boolean;
  private readonly now: () => Date;
  private readonly nowMs: () => number;
  private readonly positive: LRUCache<string, SessionRecord> | undefined;
  private readonly negative: LRUCache<string, true> | undefined;
  private readonly byUser = new Map<string, Set<string>>();
  private readonly byGrant = new Map<string, Set<string>>();
  private readonly byId = new Map<string, string>();
  private epochValue = 0;
  /** The last RECENT invalidations, oldest first; entry i has epoch epochValue - length + 1 + i. */
  private readonly recent: (Invalidation | 'all')[] = [];

  constructor(opts: SessionLruOptions) {
    this.now = opts.now ?? (() => new Date());
    const injected = opts.now;
    // Without an injected clock, no Date is made per lookup (every /mcp request makes one).
    this.nowMs = injected ? () => injected().getTime() : Date.now;
    this.enabled = opts.ttlMs > 0;
    if (!this.enabled) return;
    const max = opts.max ?? 10_000;
    // lru-cache reads time through `perf`; ours follows the injected clock so tests can move it.
    // ttlResolution 0: no cached "now" between calls.
    const perf = { now: this.nowMs };
    this.positive = new LRUCache<string, SessionRecord>({
      max,
      ttl: opts.ttlMs,
      ttlResolution: 0,
      perf,
      // Called on eviction, expiry, delete and overwrite: the indexes never point at gone entries.
      dispose: (record, hash) => this.unindex(hash, record),
    });
    this.negative = new LRUCache<string, true>({
      max,
      ttl: Math.max(1, opts.negativeTtlMs ?? Math.min(1000, opts.ttlMs)),
      ttlResolution: 0,
      perf,
    });
  }

  /** Bumped by every invalidation; pass the value seen before a lookup to set(). */
  get epoch(): number {
    return this.epochValue;
  }

  /** The record, null for a cached "no such session", undefined when not cached. */
  get(hash: string): SessionRecord | null | undefined {
    if (!this.positive || !this.negative) return undefined;
    const record = this.positive.get(hash);
    if (record) {
      if (record.expiresAt.getTime() > this.nowMs()) return record;
      this.positive.delete(hash);
      return undefined;
    }
    return this.negative.get(hash) ? null : undefined;
  }

  /** Whether an invalidation since `seenEpoch` may concern this record. */
  private revokedSince(seenEpoch: number, hash: string, record: SessionRecord): boolean {
    const missed = this.epochValue - seenEpoch;
    if (missed === 0) return false;
    if (missed < 0 || missed > this.recent.length) return true;
    return this.recent.slice(-missed).some((inv) => concerns(inv, hash, record));
  }

  private remember(inv: Invalidation | 'all'): void {
    this.epochValue++;
    this.recent.push(inv);
    if (this.recent.length > RECENT) this.recent.shift();
  }

  set(hash: string, record: SessionRecord, seenEpoch: number): void {
    if (!this.positive || this.revokedSince(seenEpoch, hash, record)) return;
    const ttl = Math.min(this.positive.ttl, record.expiresAt.getTime() - this.now().getTime());
    if (ttl <= 0) return;
    this.negative?.delete(hash);
    this.positive.set(hash, record, { ttl });
    // Indexed after set: set() disposes a previous entry under this hash, which unindexes it.
    addTo(this.byUser, record.userId, hash);
    if (record.data.grantId !== undefined) addTo(this.byGrant, record.data.grantId, hash);
    this.byId.set(record.id, hash);
  }

  /** No epoch check: a revocation never makes a session appear. */
  setMissing(hash: string): void {
    this.negative?.set(hash, true);
  }

  /** Forgets a negative entry (a session was just created under this hash). */
  forgetMissing(hash: string): void {
    this.negative?.delete(hash);
  }

  apply(inv: Invalidation): void {
    this.remember(inv);
    if (!this.positive) return;
    switch (inv.kind) {
      case 'hash':
        this.positive.delete(inv.value);
        return;
      case 'id': {
        const hash = this.byId.get(inv.value);
        if (hash !== undefined) this.positive.delete(hash);
        return;
      }
      case 'user':
        for (const hash of [...(this.byUser.get(inv.value) ?? [])]) this.positive.delete(hash);
        return;
      case 'grant':
        for (const hash of [...(this.byGrant.get(inv.value) ?? [])]) this.positive.delete(hash);
        return;
    }
  }

  /** Forgets every positive entry (invalidations may have been missed, e.g. pub/sub was down). */
  clear(): void {
    this.remember('all');
    this.positive?.clear();
  }

  get size(): number {
    return this.positive?.size ?? 0;
  }

  private unindex(hash: string, record: SessionRecord): void {
    removeFrom(this.byUser, record.userId, hash);
    if (record.data.grantId !== undefined) removeFrom(this.byGrant, record.data.grantId, hash);
    if (this.byId.get(record.id) === hash) this.byId.delete(record.id);
  }
}
