/**
 * Airtable's rate limits (airtable.com/developers/web/api/rate-limits): 5 requests per second per
 * base, 50 requests per second for all traffic of one user's personal access tokens; over the
 * limit the API answers 429 and keeps doing so for 30 seconds. Rolling one-second windows, on the
 * fake's clock. Requests refused with 429 do not count toward the window.
 */
export type RateDecision =
  { ok: true } | { ok: false; reason: 'perBase' | 'perPatUser' | 'penalty' };

interface Bucket {
  hits: number[];
  penaltyUntil: number;
}

export class RateLimiter {
  private buckets = new Map<string, Bucket>();

  reset(): void {
    this.buckets.clear();
  }

  private bucket(key: string): Bucket {
    let b = this.buckets.get(key);
    if (!b) {
      b = { hits: [], penaltyUntil: 0 };
      this.buckets.set(key, b);
    }
    return b;
  }

  /** Checks every key (without recording) and, when all allow it, records one hit on each. */
  take(
    keys: { key: string; limit: number; reason: 'perBase' | 'perPatUser' }[],
    now: number,
    penaltyMs: number,
  ): RateDecision {
    for (const k of keys) {
      const b = this.bucket(k.key);
      if (now < b.penaltyUntil) return { ok: false, reason: 'penalty' };
      b.hits = b.hits.filter((t) => t > now - 1000);
      if (b.hits.length >= k.limit) {
        b.penaltyUntil = now + penaltyMs;
        return { ok: false, reason: k.reason };
      }
    }
    for (const k of keys) this.bucket(k.key).hits.push(now);
    return { ok: true };
  }
}
