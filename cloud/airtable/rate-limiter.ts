/**
 * Process-wide limiter for Airtable's published limits (airtable.com/developers/web/api/rate-limits):
 * 5 requests per second per base, and 50 requests per second for all personal-access-token traffic
 * of one user. Over the limit Airtable answers 429 and keeps refusing for 30 seconds, so a 429
 * also blocks the key for as long as Airtable asked, and every request of every user on that base
 * waits instead of extending the penalty.
 *
 * Sliding one-second window per key; a request takes a slot on all of its keys at once. It is
 * per process: several Back4App processes each keep their own counts, and the 429 handling in
 * the client covers the rest.
 */

/**
 * Airtable counts requests when they arrive; two requests sent exactly 1000 ms apart can arrive
 * less than a second apart (network and event-loop jitter) and trip the 30 s penalty. A 10%
 * longer window (4.5 requests/s per base) keeps a margin. A slow request can arrive later still (a
 * cold connection's TLS handshake takes a few hundred ms; a busy Airtable queues it): requests
 * taken with acquireSlot count as in the window for as long as they are in flight, and from the
 * time their answer came back (never before Airtable counted them) once settled.
 */
const DEFAULT_WINDOW_MS = 1100;
/** How soon to look again when every slot is held by a request still in flight. */
const IN_FLIGHT_POLL_MS = 50;

export interface RateLimitKeys {
  /** Base id (app...), for the per-base limit; absent for /meta/whoami and /meta/bases. */
  baseId?: string;
  /** Stable user key, only for personal access tokens (the per-user limit applies to PATs). */
  patUserKey?: string;
}

export interface RateLimiterOptions {
  perBasePerSecond?: number;
  perPatUserPerSecond?: number;
  windowMs?: number;
  now?: () => number;
}

interface KeyState {
  /** Start (tryAcquire) or answer (settled acquireSlot) times in the current window, oldest first. */
  stamps: number[];
  /** Slots of requests in flight (acquireSlot, not settled yet): they count whatever their age. */
  open: Set<number>;
  /** Airtable's 429 penalty: nothing goes out on this key before this time. */
  blockedUntil: number;
}

/** Thrown by acquire() when the wait would pass the caller's budget. */
export class RateLimitWaitTooLong extends Error {
  constructor(readonly waitMs: number) {
    super(`rate limit wait of ${waitMs} ms is over budget`);
    this.name = 'RateLimitWaitTooLong';
  }
}

export class AirtableRateLimiter {
  private readonly perBase: number;
  private readonly perUser: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly keys = new Map<string, KeyState>();
  private acquiresSinceSweep = 0;
  private nextSlot = 1;

  constructor(opts: RateLimiterOptions = {}) {
    this.perBase = opts.perBasePerSecond ?? 5;
    this.perUser = opts.perPatUserPerSecond ?? 50;
    this.windowMs = opts.windowMs ?? DEFAULT_WINDOW_MS;
    this.now = opts.now ?? (() => Date.now());
  }

  private entries(keys: RateLimitKeys): { state: KeyState; limit: number }[] {
    const out: { state: KeyState; limit: number }[] = [];
    if (keys.baseId) out.push({ state: this.state(`base:${keys.baseId}`), limit: this.perBase });
    if (keys.patUserKey)
      out.push({ state: this.state(`user:${keys.patUserKey}`), limit: this.perUser });
    return out;
  }

  private state(key: string): KeyState {
    let s = this.keys.get(key);
    if (!s) {
      s = { stamps: [], open: new Set(), blockedUntil: 0 };
      this.keys.set(key, s);
    }
    return s;
  }

  /**
   * Takes a slot on every key and returns 0, or takes nothing and returns how many ms to wait
   * before trying again. Synchronous, so check-and-take cannot interleave with another request.
   */
  tryAcquire(keys: RateLimitKeys): number {
    return this.take(keys, undefined);
  }

  /** Takes a slot (stamped now, or held open as `slot`) on every key, or returns the wait. */
  private take(keys: RateLimitKeys, slot: number | undefined): number {
    const now = this.now();
    if (++this.acquiresSinceSweep >= 1000) this.sweep(now);
    const entries = this.entries(keys);
    let wait = 0;
    for (const { state, limit } of entries) {
      while (state.stamps.length > 0 && state.stamps[0]! <= now - this.windowMs)
        state.stamps.shift();
      if (state.blockedUntil > now) wait = Math.max(wait, state.blockedUntil - now);
      if (state.stamps.length + state.open.size >= limit) {
        // The oldest stamp leaves the window first; with only requests in flight, look again soon.
        const oldest = state.stamps[state.stamps.length + state.open.size - limit];
        wait = Math.max(
          wait,
          oldest !== undefined ? oldest + this.windowMs - now : IN_FLIGHT_POLL_MS,
        );
      }
    }
    if (wait > 0) return Math.max(1, wait);
    for (const { state } of entries) {
      if (slot === undefined) state.stamps.push(now);
      else state.open.add(slot);
    }
    return 0;
  }

  /**
   * Closes a slot taken with acquireSlot: it now counts from this moment (when the answer came
   * back), or one window later for a request given up on (timeout, cancel), which may still
   * reach Airtable.
   */
  settle(keys: RateLimitKeys, slot: number, unanswered = false): void {
    const at = this.now() + (unanswered ? this.windowMs : 0);
    for (const { state } of this.entries(keys)) {
      if (!state.open.delete(slot)) continue;
      let j = state.stamps.length;
      while (j > 0 && state.stamps[j - 1]! > at) j--;
      state.stamps.splice(j, 0, at);
    }
  }

  /** Records Airtable's 429: requests on these keys wait `ms` from now. */
  block(keys: RateLimitKeys, ms: number): void {
    const until = this.now() + ms;
    for (const { state } of this.entries(keys)) {
      state.blockedUntil = Math.max(state.blockedUntil, until);
    }
  }

  /**
   * Waits for a slot; throws RateLimitWaitTooLong (without waiting) as soon as the next wait
   * would pass `maxWaitMs`. Returns how long it waited.
   */
  async acquire(
    keys: RateLimitKeys,
    opts: {
      maxWaitMs: number;
      signal?: AbortSignal;
      sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
    },
  ): Promise<number> {
    return (await this.wait(keys, undefined, opts)).waited;
  }

  /** Like acquire, for a request whose slot stays open until settle(keys, slot). */
  acquireSlot(
    keys: RateLimitKeys,
    opts: {
      maxWaitMs: number;
      signal?: AbortSignal;
      sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
    },
  ): Promise<{ waited: number; slot: number }> {
    return this.wait(keys, this.nextSlot++, opts);
  }

  private async wait(
    keys: RateLimitKeys,
    slot: number | undefined,
    opts: {
      maxWaitMs: number;
      signal?: AbortSignal;
      sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
    },
  ): Promise<{ waited: number; slot: number }> {
    let waited = 0;
    for (;;) {
      const wait = this.take(keys, slot);
      if (wait === 0) return { waited, slot: slot ?? 0 };
      if (waited + wait > opts.maxWaitMs) throw new RateLimitWaitTooLong(wait);
      await (opts.sleep ?? sleep)(wait, opts.signal);
      waited += wait;
    }
  }

  /** Drops keys with no recent request and no penalty, so a long-lived process does not grow. */
  private sweep(now: number): void {
    this.acquiresSinceSweep = 0;
    for (const [key, s] of this.keys) {
      const last = s.stamps[s.stamps.length - 1] ?? 0;
      if (last <= now - this.windowMs && s.blockedUntil <= now && s.open.size === 0)
        this.keys.delete(key);
    }
  }

  /** For tests and diagnostics. */
  get trackedKeyCount(): number {
    return this.keys.size;
  }
}

/** setTimeout as a promise that rejects with the signal's reason when the caller gives up. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

let shared: AirtableRateLimiter | undefined;

/** The limiter shared by every request of this process. */
export function getAirtableRateLimiter(): AirtableRateLimiter {
  shared ??= new AirtableRateLimiter();
  return shared;
}
