/**
 * One Airtable Web API request, done properly: the shared rate limiter, 429 back-off as Airtable
 * asks (Retry-After, else 30 s; airtable.com/developers/web/api/rate-limits) within a budget,
 * bounded retries with full jitter on network errors and 5xx for idempotent calls only, a
 * timeout per attempt, one token refresh after a 401, and the answer parsed with a zod schema.
 * The token goes in the Authorization header and nowhere else: not in errors, not in logs.
 */
import type { z } from 'zod';
import { log } from '../log';
import { count } from '../observability/metrics';
import {
  AirtableApiError,
  redactSecret,
  type AirtableErrorFacts,
  type AirtableScope,
  type HintContext,
} from './api-errors';
import { SendError, type AirtableSend } from './http-sender';
import { RateLimitWaitTooLong, sleep, type AirtableRateLimiter } from './rate-limiter';

export interface AirtableTokenSource {
  getAccessToken(): Promise<string>;
  /** called once after Airtable answers 401: returns a fresh token, or null if the user must reconnect */
  refreshAfterUnauthorized(): Promise<string | null>;
}

export interface RequesterOptions {
  baseUrl: string;
  /** How one HTTP exchange is made (http-sender.ts). */
  send: AirtableSend;
  tokens: AirtableTokenSource;
  limiter: AirtableRateLimiter;
  userKey: string;
  isPat: boolean;
  timeoutMs: number;
  rateLimitBudgetMs: number;
  maxRetries: number;
  retryBaseDelayMs: number;
  hintContext: HintContext;
}

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RequestSpec<T> {
  method: HttpMethod;
  /** Path after the host, already percent-encoded, starting with /v0/. */
  path: string;
  /**
   * Another Airtable host for this request (upload-attachment goes to content.airtable.com,
   * AIRTABLE_CONTENT_BASE_URL); default: the API base URL. Same token, limiter and rules.
   */
  origin?: string;
  query?: URLSearchParams;
  body?: unknown;
  /** Base the request touches, for the per-base limit. */
  baseId?: string;
  /** Safe to repeat after a network error or 5xx (GET, POST listRecords). */
  idempotent: boolean;
  requiredScope?: AirtableScope;
  schema: z.ZodType<T>;
  signal?: AbortSignal;
}

/** Per-call options of the API client's methods (here, not in api-client.ts, so that the
 * attachment and webhook APIs it builds on do not import it back). */
export interface CallOptions {
  signal?: AbortSignal;
}

type Attempt =
  | { kind: 'response'; status: number; header: (name: string) => string | null; text: string }
  | { kind: 'failed'; timedOut: boolean; detail: string };

/** Airtable keeps refusing for 30 s after a 429 when it does not say otherwise. */
const DEFAULT_429_WAIT_MS = 30_000;

export class AirtableRequester {
  constructor(private readonly o: RequesterOptions) {}

  url(path: string, query?: URLSearchParams, origin?: string): string {
    const q = query?.toString();
    const host = origin === undefined ? this.o.baseUrl : origin.replace(/\/+$/, '');
    return `${host}${path}${q ? `?${q}` : ''}`;
  }

  async request<T>(spec: RequestSpec<T>): Promise<T> {
    const url = this.url(spec.path, spec.query, spec.origin);
    const keys = {
      ...(spec.baseId ? { baseId: spec.baseId } : {}),
      ...(this.o.isPat ? { patUserKey: this.o.userKey } : {}),
    };
    let token = await this.o.tokens.getAccessToken();
    let refreshed = false;
    let retries = 0;
    let rateWaited = 0;
    for (;;) {
      let slot: number;
      try {
        const got = await this.o.limiter.acquireSlot(keys, {
          maxWaitMs: this.o.rateLimitBudgetMs - rateWaited,
          ...(spec.signal ? { signal: spec.signal } : {}),
        });
        rateWaited += got.waited;
        slot = got.slot;
      } catch (err) {
        if (!(err instanceof RateLimitWaitTooLong)) throw err;
        count('airtable_rate_limit_refusals');
        throw this.fail(spec, {
          status: 429,
          type: 'RATE_LIMITED',
          airtableMessage: `Airtable's rate limit is exhausted for now (waited ${Math.round(rateWaited / 1000)} s already)`,
          retryAfterMs: err.waitMs,
        });
      }

      let attempt: Attempt | undefined;
      try {
        attempt = await this.attempt(url, spec, token);
      } finally {
        // Counted from the answer on (or longer when none came): see rate-limiter.ts.
        this.o.limiter.settle(keys, slot, attempt?.kind !== 'response');
      }
      if (attempt.kind === 'failed') {
        if (spec.idempotent && retries < this.o.maxRetries) {
          await this.backoff(retries++, spec, attempt.detail);
          continue;
        }
        throw this.fail(spec, {
          status: 0,
          type: attempt.timedOut ? 'TIMEOUT' : 'NETWORK_ERROR',
          airtableMessage: attempt.timedOut
            ? `Airtable did not answer within ${this.o.timeoutMs} ms`
            : `could not reach Airtable (${attempt.detail})`,
        });
      }

      const { status } = attempt;
      if (status === 429) {
        const wait = retryAfterMs(attempt.header('retry-after')) ?? DEFAULT_429_WAIT_MS;
        log.warn({ method: spec.method, path: spec.path, waitMs: wait }, 'airtable 429');
        // Others on the same base wait too; this request waits here (it may have no limiter key).
        this.o.limiter.block(keys, wait);
        if (rateWaited + wait > this.o.rateLimitBudgetMs) {
          count('airtable_rate_limit_refusals');
          throw this.fail(spec, {
            status: 429,
            type: 'RATE_LIMITED',
            airtableMessage: `Airtable refused the request: rate limit reached (asked to wait ${Math.ceil(wait / 1000)} s)`,
            retryAfterMs: wait,
          });
        }
        await sleep(wait, spec.signal);
        rateWaited += wait;
        continue;
      }
      if (status === 401 && !refreshed) {
        refreshed = true;
        const fresh = await this.o.tokens.refreshAfterUnauthorized();
        if (fresh) {
          token = fresh;
          continue;
        }
        throw this.fail(spec, errorFacts(attempt, token));
      }
      if (status >= 500 && spec.idempotent && retries < this.o.maxRetries) {
        await this.backoff(retries++, spec, `HTTP ${status}`);
        continue;
      }
      if (status < 200 || status >= 300) throw this.fail(spec, errorFacts(attempt, token));
      return this.parse(attempt, spec);
    }
  }

  /** One HTTP exchange with its own timeout; the body is read inside the timeout too. */
  private async attempt<T>(url: string, spec: RequestSpec<T>, token: string): Promise<Attempt> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.o.timeoutMs);
    const onCallerAbort = (): void => controller.abort(spec.signal?.reason);
    spec.signal?.addEventListener('abort', onCallerAbort, { once: true });
    try {
      spec.signal?.throwIfAborted();
      const headers: Record<string, string> = {
        Authorization: `Bearer ${token}`,
        Accept: 'application/json',
      };
      if (spec.body !== undefined) headers['Content-Type'] = 'application/json';
      count('airtable_requests');
      const res = await this.o.send(url, {
        method: spec.method,
        headers,
        signal: controller.signal,
        ...(spec.body !== undefined ? { body: JSON.stringify(spec.body) } : {}),
      });
      if (res.status === 429) count('airtable_429');
      else if (res.status >= 500) count('airtable_5xx');
      return { kind: 'response', status: res.status, header: res.header, text: res.text };
    } catch (err) {
      // The caller gave up (MCP request cancelled): stop, do not retry.
      if (spec.signal?.aborted) throw spec.signal.reason;
      count(timedOut ? 'airtable_timeouts' : 'airtable_network_errors');
      return { kind: 'failed', timedOut, detail: redactSecret(networkDetail(err), token) };
    } finally {
      clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  /** Exponential back-off with full jitter (at least 50 ms so retries never hammer). */
  private async backoff<T>(retry: number, spec: RequestSpec<T>, why: string): Promise<void> {
    const cap = this.o.retryBaseDelayMs * 2 ** retry;
    const delay = Math.max(Math.min(50, cap), Math.round(Math.random() * cap));
    log.warn({ method: spec.method, path: spec.path, why, retry: retry + 1 }, 'airtable retry');
    await sleep(delay, spec.signal);
  }

  private parse<T>(attempt: { status: number; text: string }, spec: RequestSpec<T>): T {
    let json: unknown;
    try {
      json = attempt.text === '' ? {} : JSON.parse(attempt.text);
    } catch {
      throw this.fail(spec, {
        status: attempt.status,
        type: 'UNEXPECTED_RESPONSE',
        airtableMessage: 'Airtable answered with something that is not JSON',
      });
    }
    const parsed = spec.schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unknown';
      throw this.fail(spec, {
        status: attempt.status,
        type: 'UNEXPECTED_RESPONSE',
        airtableMessage: `Airtable's answer did not have the expected shape (${where})`,
      });
    }
    return parsed.data;
  }

  private fail<T>(spec: RequestSpec<T>, facts: AirtableErrorFacts): AirtableApiError {
    const full: AirtableErrorFacts = spec.requiredScope
      ? { ...facts, requiredScope: spec.requiredScope }
      : facts;
    log.info(
      { method: spec.method, path: spec.path, status: facts.status, type: facts.type },
      'airtable request failed',
    );
    return new AirtableApiError(full, this.o.hintContext);
  }
}

/** Reads Airtable's error body: {"error": {"type", "message"}} or {"error": "NOT_FOUND"}. */
function errorFacts(attempt: { status: number; text: string }, token: string): AirtableErrorFacts {
  let type = `HTTP_${attempt.status}`;
  let message = `Airtable answered HTTP ${attempt.status}`;
  try {
    const body = JSON.parse(attempt.text) as unknown;
    const error =
      typeof body === 'object' && body !== null ? Reflect.get(body, 'error') : undefined;
    if (typeof error === 'string') {
      type = error;
    } else if (typeof error === 'object' && error !== null) {
      const t: unknown = Reflect.get(error, 'type');
      const m: unknown = Reflect.get(error, 'message');
      if (typeof t === 'string') type = t;
      if (typeof m === 'string') message = m;
    }
  } catch {
    // Not JSON (a proxy's HTML page): keep the generic text.
  }
  return {
    status: attempt.status,
    type: redactSecret(type, token).slice(0, 200),
    airtableMessage: redactSecret(message, token).slice(0, 2000),
  };
}

/** Retry-After in seconds or as an HTTP date (RFC 9110 section 10.2.3); at least 1 s. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  const raw = header?.trim();
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.max(1000, seconds * 1000);
  const date = Date.parse(raw);
  if (Number.isNaN(date)) return undefined;
  return Math.max(1000, date - now);
}

/**
 * "ECONNREFUSED" (http-sender.ts) or "fetch failed: ECONNREFUSED" (undici's error and its cause);
 * never the request itself.
 */
function networkDetail(err: unknown): string {
  if (!(err instanceof Error)) return 'network error';
  if (err instanceof SendError) return err.message;
  const cause: unknown = (err as { cause?: unknown }).cause;
  const code = typeof cause === 'object' && cause !== null ? Reflect.get(cause, 'code') : undefined;
  return typeof code === 'string' ? `${err.message}: ${code}` : err.message;
}
