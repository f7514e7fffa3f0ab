/**
 * ioredis connections for the session cache, tuned so that Redis being down or slow never holds up
 * a request: commands fail at once while disconnected (no offline queue) and after 500 ms when
 * Redis hangs, are never retried, and the client keeps reconnecting in the background. Each outage
 * is logged once (not once per failed command or reconnect attempt), and never with REDIS_URL,
 * which may carry a password.
 */
import type { Redis, RedisOptions } from 'ioredis';
import { log } from '../log';

/**
 * ioredis (about a fifth of a bundle) is loaded on the first connection, i.e. only when REDIS_URL
 * is set. scripts/build/build.ts keeps it out of the Cloud Code bundles and writes it to
 * dist/cloud/ioredis.js, which this require then reaches (the build maps the name to that file).
 */
function loadRedis(): new (url: string, options: RedisOptions) => Redis {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose (see above)
  return (require('ioredis') as typeof import('ioredis')).Redis;
}

export const COMMAND_TIMEOUT_MS = 500;

export type ConnectionRole = 'cmd' | 'sub';

export interface WatchedConnection {
  client: Redis;
  /** True between 'ready' and the next error or close. */
  readonly ready: boolean;
  /** Closes for good (no reconnect, no "unavailable" log). */
  close(): void;
}

/** Error text without anything URL-shaped (credentials live in URLs). */
export function safeErrorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '<url>').slice(0, 200);
}

export function openConnection(
  url: string,
  role: ConnectionRole,
  onReady: () => void,
): WatchedConnection {
  const RedisClient = loadRedis();
  const client = new RedisClient(url, {
    connectionName: `airtable-mcp:${role}`,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: 2_000,
    // Reconnect forever, backing off to one attempt every 2 s.
    retryStrategy: (times) => Math.min(100 * times, 2_000),
    // The subscriber (re)subscribes in onReady itself, so it knows when the subscription is live.
    autoResubscribe: false,
  });
  let ready = false;
  let down = false;
  let closing = false;
  client.on('ready', () => {
    ready = true;
    if (down) log.info({ role }, 'Redis session cache reconnected');
    down = false;
    onReady();
  });
  const lost = (err?: unknown) => {
    ready = false;
    if (down || closing) return;
    down = true;
    log.warn(
      { role, ...(err === undefined ? {} : { error: safeErrorText(err) }) },
      'Redis session cache unavailable: sessions are checked in the database until it is back',
    );
  };
  // An 'error' listener is required: without one ioredis prints every failed attempt.
  client.on('error', (err) => lost(err));
  client.on('close', () => lost());
  return {
    client,
    get ready() {
      return ready && client.status === 'ready';
    },
    close() {
      closing = true;
      ready = false;
      client.disconnect();
    },
  };
}
