/**
 * The shared session cache (REDIS_URL): verified session records in Redis so a cold instance skips
 * the database, and a pub/sub channel on which every revocation is announced so every instance
 * evicts its own LRU at once. Layout and consistency: redis-scripts.ts.
 *
 * Redis is only ever an optimisation: every method here resolves (never rejects), lookups answer
 * "unavailable" while Redis is down or slow and callers go to the database, and a revocation that
 * could not reach Redis is kept and replayed when it is back (records cached before it would
 * otherwise survive for up to SESSION_CACHE_REDIS_TTL_MS). While the subscriber is down, local
 * caches may miss announcements: they are bounded by SESSION_CACHE_TTL_MS, and cleared whenever
 * the subscription is (re)established.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { SessionRecord } from '../storage/base';
import { InvalidationSchema, type Invalidation } from './invalidation';
import { openConnection, type WatchedConnection } from './redis-connection';
import { decodeRecord, encodeRecord } from './redis-record';
import { FILL_SCRIPT, INVALIDATE_SCRIPT, redisLayout, type RedisLayout } from './redis-scripts';

/** After a failed command Redis is skipped this long (a hung Redis would cost 500 ms a call). */
const BACKOFF_MS = 1_000;
/** Revocations kept while Redis is unreachable (oldest dropped first). */
const MAX_PENDING = 1_000;

const MessageSchema = InvalidationSchema.extend({ o: z.string().max(64) });

export interface SharedLookup {
  /** The cached record, or null when Redis has none (not: "no such session"). */
  record: SessionRecord | null;
  /** Revocation counter seen with it; pass it back to fill(). */
  epoch: string;
}

/** What a CachedStorage needs from a shared cache (RedisSessionCache; tests may fake it). */
export interface SharedSessionCache {
  /** undefined: the shared cache is unavailable, go to the database. */
  lookup(hash: string): Promise<SharedLookup | undefined>;
  fill(hash: string, record: SessionRecord, epoch: string): Promise<void>;
  /** Purges and announces to every instance (including other bundles of this one). */
  invalidate(inv: Invalidation): Promise<void>;
  /**
   * `invalidate` for announcements from elsewhere; `resync` when announcements may have been
   * missed (the subscription was just (re)established): drop every local entry.
   */
  attach(handlers: { invalidate(inv: Invalidation): void; resync(): void }): void;
  close(): Promise<void>;
}

export interface RedisSessionCacheOptions {
  url: string;
  secretKey: string;
  /** Longest life of a record in Redis (SESSION_CACHE_REDIS_TTL_MS). */
  ttlMs: number;
  now?: () => Date;
}

export class RedisSessionCache implements SharedSessionCache {
  private readonly layout: RedisLayout;
  private readonly ttlMs: number;
  private readonly now: () => Date;
  /** Tells our own announcements apart from other instances' (we applied ours already). */
  private readonly origin = randomUUID();
  private readonly cmd: WatchedConnection;
  private readonly sub: WatchedConnection;
  private handlers: { invalidate(inv: Invalidation): void; resync(): void } | undefined;
  private skipUntil = 0;
  private pending: { inv: Invalidation; at: number }[] = [];
  private flushing = false;

  constructor(opts: RedisSessionCacheOptions) {
    this.layout = redisLayout(opts.secretKey);
    this.ttlMs = opts.ttlMs;
    this.now = opts.now ?? (() => new Date());
    this.cmd = openConnection(opts.url, 'cmd', () => void this.flushPending());
    this.sub = openConnection(opts.url, 'sub', () => void this.subscribe());
    this.sub.client.on('message', (channel, message) => this.onMessage(channel, message));
  }

  attach(handlers: { invalidate(inv: Invalidation): void; resync(): void }): void {
    this.handlers = handlers;
  }

  /** Channel name, for tests and operators (PUBSUB NUMSUB). */
  get channel(): string {
    return this.layout.channel;
  }

  private available(): boolean {
    return this.cmd.ready && Date.now() >= this.skipUntil;
  }

  private failed(): void {
    this.skipUntil = Date.now() + BACKOFF_MS;
  }

  async lookup(hash: string): Promise<SharedLookup | undefined> {
    if (!this.available()) return undefined;
    let raw: (string | null)[];
    try {
      raw = await this.cmd.client.mget(this.layout.record(hash), this.layout.epoch);
    } catch {
      this.failed();
      return undefined;
    }
    if (this.pending.length > 0) void this.flushPending();
    const decoded = raw[0] ? decodeRecord(raw[0]) : undefined;
    const record = decoded && decoded.expiresAt > this.now() ? decoded : null;
    return { record, epoch: raw[1] ?? '0' };
  }

  async fill(hash: string, record: SessionRecord, epoch: string): Promise<void> {
    const ttl = Math.min(this.ttlMs, record.expiresAt.getTime() - this.now().getTime());
    if (ttl <= 0 || !this.available()) return;
    const l = this.layout;
    const keys = [l.epoch, l.record(hash), l.user(record.userId), l.id(record.id)];
    if (record.data.grantId !== undefined) keys.push(l.grant(record.data.grantId));
    try {
      await this.cmd.client.eval(
        FILL_SCRIPT,
        keys.length,
        ...keys,
        epoch,
        encodeRecord(record),
        String(Math.ceil(ttl)),
        String(this.ttlMs),
        hash,
      );
    } catch {
      this.failed();
    }
  }

  async invalidate(inv: Invalidation): Promise<void> {
    if (!(await this.send(inv))) this.keep(inv);
  }

  private async send(inv: Invalidation): Promise<boolean> {
    if (!this.cmd.ready) return false;
    const message = JSON.stringify({ o: this.origin, kind: inv.kind, value: inv.value });
    try {
      await this.cmd.client.eval(
        INVALIDATE_SCRIPT,
        1,
        this.layout.epoch,
        inv.kind,
        inv.value,
        this.layout.prefix,
        this.layout.channel,
        message,
      );
      return true;
    } catch {
      this.failed();
      return false;
    }
  }

  private keep(inv: Invalidation): void {
    this.pending.push({ inv, at: Date.now() });
    if (this.pending.length > MAX_PENDING) this.pending.shift();
  }

  /** Replays revocations that could not reach Redis; older than a record can live is moot. */
  private async flushPending(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const next = this.pending[0]!;
        if (Date.now() - next.at > this.ttlMs) {
          this.pending.shift();
          continue;
        }
        if (!(await this.send(next.inv))) return;
        this.pending.shift();
      }
    } finally {
      this.flushing = false;
    }
  }

  private async subscribe(): Promise<void> {
    try {
      await this.sub.client.subscribe(this.layout.channel);
    } catch {
      return; // the connection dropped again; 'ready' will call us once more
    }
    this.handlers?.resync();
  }

  private onMessage(channel: string, message: string): void {
    if (channel !== this.layout.channel) return;
    let json: unknown;
    try {
      json = JSON.parse(message);
    } catch {
      return;
    }
    const parsed = MessageSchema.safeParse(json);
    if (!parsed.success || parsed.data.o === this.origin) return;
    this.handlers?.invalidate({ kind: parsed.data.kind, value: parsed.data.value });
  }

  async close(): Promise<void> {
    this.cmd.close();
    this.sub.close();
  }
}
