/**
 * Process-local counters (Airtable calls, 429s, refreshes, auth failures, ...), read by the
 * master-key-only `metrics` cloud function and GET /internal/metrics.
 *
 * Cloud Code is two bundles (main.js for functions, app.js for routes), each with its own copy of
 * this module; the counters therefore live on globalThis under a registered symbol, so both copies
 * in one process count into, and read, the same numbers. Names and labels come from closed lists:
 * nothing a client sends can create a counter (bounded memory, nothing secret in a name).
 */

export const COUNTER_NAMES = [
  /** HTTP requests to our routes, and their answers by class. */
  'http_requests',
  'http_responses_4xx',
  'http_responses_5xx',
  /** Requests answered 503 because the database could not be reached. */
  'storage_unavailable',
  /** Attempts against the Airtable Web API (retries count again). */
  'airtable_requests',
  'airtable_429',
  'airtable_5xx',
  'airtable_timeouts',
  'airtable_network_errors',
  /** Requests refused locally because Airtable's rate limit would need too long a wait. */
  'airtable_rate_limit_refusals',
  /** Calls to Airtable's OAuth token endpoint (code exchanges and refreshes). */
  'airtable_token_requests',
  'token_refreshes',
  'token_refresh_failures',
  /** Airtable answered 409 "recently refreshed" (another process won; we re-read). */
  'token_refresh_conflicts',
  /** Grants Airtable refused on refresh (invalid_grant): the user must reconnect. */
  'grants_dead',
  'auth_failures',
  /** Dynamic client registrations accepted, and expired ones the cleanup job removed. */
  'oauth_clients_registered',
  'oauth_clients_removed',
  /** Expired rows the cleanup job deleted (every class). */
  'cleanup_rows_deleted',
] as const;

export type CounterName = (typeof COUNTER_NAMES)[number];

/** Why an authentication failed (labels of auth_failures). */
export const AUTH_FAILURE_REASONS = [
  /** /mcp without a usable session or access token. */
  'mcp_token',
  /** /mcp with a session whose Airtable credential is gone, dead or unreadable. */
  'mcp_airtable_credential',
  /** /api/auth/session or /auth/logout without a valid session. */
  'session',
  /** POST /api/auth/direct with a token Airtable refused. */
  'pat_refused',
  /** OAuth token endpoint: invalid_client or invalid_grant. */
  'oauth_client',
  'oauth_grant',
  /** The Airtable OAuth callback failed (bad state, refused code). */
  'airtable_callback',
  /** The Airtable callback reached a browser other than the one that started the sign-in. */
  'browser_mismatch',
  /** A cross-site browser request to an endpoint that changes state. */
  'cross_site',
  /** A refresh token presented again after its grace window (the grant family is revoked). */
  'refresh_reuse',
] as const;

export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];

interface Registry {
  startedAt: Date;
  counts: Map<string, number>;
}

const KEY = Symbol.for('airtable-mcp-back4app.metrics');

function registry(): Registry {
  const g = globalThis as { [KEY]?: Registry };
  g[KEY] ??= { startedAt: new Date(), counts: new Map() };
  return g[KEY];
}

export function count(name: CounterName, by = 1): void {
  const { counts } = registry();
  counts.set(name, (counts.get(name) ?? 0) + by);
}

export function countAuthFailure(reason: AuthFailureReason): void {
  count('auth_failures');
  const { counts } = registry();
  const key = `auth_failures.${reason}`;
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

export interface MetricsSnapshot {
  /** Counters of THIS process since it started (every instance has its own). */
  counters: Record<string, number>;
  process: { pid: number; started_at: string; uptime_s: number; rss_bytes: number };
}

/** Every counter (zero when never touched), plus auth_failures.<reason>. */
export function metricsSnapshot(now = new Date()): MetricsSnapshot {
  const { counts, startedAt } = registry();
  const counters: Record<string, number> = {};
  for (const name of COUNTER_NAMES) counters[name] = counts.get(name) ?? 0;
  for (const reason of AUTH_FAILURE_REASONS)
    counters[`auth_failures.${reason}`] = counts.get(`auth_failures.${reason}`) ?? 0;
  return {
    counters,
    process: {
      pid: process.pid,
      started_at: startedAt.toISOString(),
      uptime_s: Math.round((now.getTime() - startedAt.getTime()) / 1000),
      rss_bytes: process.memoryUsage().rss,
    },
  };
}
