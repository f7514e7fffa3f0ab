/**
 * Request limits we can trust: per client address (express-rate-limit as plain middleware; no
 * express import needed) and per authenticated session (its MemoryStore, called directly).
 *
 * The client address. Every proxy in front of us appends the address it received the request
 * from to X-Forwarded-For; anything to the left of those entries was written by the client and
 * proves nothing. So with TRUST_PROXY_HOPS = N the client is the Nth entry from the right (the
 * socket peer when N = 0), the rule of Express's `trust proxy` with a hop count (proxy-addr). We
 * cannot set `trust proxy` on Back4App's app, so the key is computed here. The default, 0, ignores
 * the header: a client that reaches us directly cannot pick its own address. What Back4App's
 * front proxy does with the header is UNVERIFIED (docs/resilience.md, "Rate limits").
 *
 * express-rate-limit (with ip-address, which it needs for IPv6 prefixes) is loaded on the first
 * request a limit sees, not with app.js: loading it was a tenth of app.js's start-up cost
 * (`npm run bench -- bundle`), on every deploy and new container, before /health can answer.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Options } from 'express-rate-limit';
import type { RateLimitSettings } from '../config';
import { lazyModule } from '../lazy-module';
import { log } from '../log';
import { HttpError, sendError } from './errors';

/** An address as a key: brackets, an IPv6 zone and a port (`1.2.3.4:5678`) removed. */
function normalizeAddress(raw: string): string | undefined {
  let a = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (bracketed) a = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(':'));
  a = a.replace(/%.*$/, '');
  return isIP(a) === 0 ? undefined : a;
}

const said = { tooManyHops: false, ignoredHeader: false };

/** Once per process and case: says when the hop setting and the requests seen disagree (docs/resilience.md). */
function diagnose(entries: number, hops: number, peer: string | undefined): void {
  if (hops > entries && !said.tooManyHops) {
    said.tooManyHops = true;
    log.warn(
      { trustProxyHops: hops, forwardedEntries: entries },
      'a request has fewer X-Forwarded-For entries than TRUST_PROXY_HOPS: its per-IP limits key on the leftmost entry (or the socket peer)',
    );
  } else if (hops === 0 && entries > 0 && !said.ignoredHeader) {
    said.ignoredHeader = true;
    log.info(
      { forwardedEntries: entries, peerIsLoopback: peer === '127.0.0.1' || peer === '::1' },
      'requests carry X-Forwarded-For but TRUST_PROXY_HOPS is 0: per-IP limits key on the socket peer (behind a proxy: one limit shared by everybody)',
    );
  }
}

/** The client address for per-IP limits, trusting `hops` proxies' X-Forwarded-For entries. */
export function clientIp(req: Request, hops: number): string {
  const peer = req.socket.remoteAddress;
  const xff = req.headers['x-forwarded-for'];
  const entries = (Array.isArray(xff) ? xff.join(',') : (xff ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  diagnose(entries.length, hops, peer);
  // Nearest first: the socket peer, then the entries each trusted proxy appended (proxy-addr).
  const chain = [peer ?? 'unknown', ...entries.reverse()];
  const picked = chain[Math.min(hops, chain.length - 1)]!;
  // A malformed entry (a misconfigured proxy) falls back to the peer: one shared limit rather
  // than a key the client can rotate.
  return normalizeAddress(picked) ?? peer ?? 'unknown';
}

type RateLimitModule = typeof import('express-rate-limit');

/** express-rate-limit, loaded once, on first use (see the header). */
const rateLimitModule = lazyModule(() => import('express-rate-limit'));

/**
 * Middleware built by `build` with express-rate-limit on the first request (then called
 * directly). The options are the same as if it had been built at start-up; express-rate-limit's
 * check that limiters are not created per request is off because this one is built once.
 */
export function lazyRateLimit(build: (erl: RateLimitModule) => RequestHandler): RequestHandler {
  let handler: RequestHandler | undefined;
  return (req: Request, res: Response, next: NextFunction) => {
    if (handler) return handler(req, res, next);
    rateLimitModule.load().then(
      (erl) => {
        handler ??= build(erl);
        return handler(req, res, next);
      },
      (err: unknown) => next(err),
    );
  };
}

/**
 * The key of an address: IPv6 addresses count per /56, as one customer's prefix
 * (express-rate-limit's ipKeyGenerator). Called by limiters, so after rateLimitModule() loaded.
 */
export function addressKey(req: Request, settings: RateLimitSettings): string {
  const erl = rateLimitModule.current();
  if (!erl) throw new Error('addressKey before express-rate-limit was loaded');
  return erl.ipKeyGenerator(clientIp(req, settings.trustProxyHops));
}

/** A fixed-length key for client-chosen strings (a client_id may be a long URL). */
export function hashedKey(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

export function scaled(limit: number, settings: RateLimitSettings): number {
  return Math.max(1, Math.round(limit * settings.multiplier));
}

export function perIpLimit(
  settings: RateLimitSettings,
  opts: { windowMs: number; limit: number; name: string },
): RequestHandler {
  return lazyRateLimit(
    (erl) =>
      erl.rateLimit({
        windowMs: opts.windowMs,
        limit: scaled(opts.limit, settings),
        standardHeaders: 'draft-7',
        legacyHeaders: false,
        keyGenerator: (req) => `${opts.name}:${addressKey(req as unknown as Request, settings)}`,
        validate: { xForwardedForHeader: false, trustProxy: false, creationStack: false },
        // JSON for API clients, a page for browsers (sendError decides by Accept).
        handler: (req, res) =>
          sendError(
            res as unknown as Response,
            new HttpError(
              429,
              'rate_limited',
              'Too many requests from your address; wait a minute and try again.',
            ),
            req as unknown as Request,
          ),
      }) as unknown as RequestHandler, // express-rate-limit's own Request/Response types; same objects
  );
}

/**
 * A limit for callers identified after authentication (no middleware: the caller passes the key).
 * Resolves 0 when the request may go on, else the seconds to wait (for Retry-After).
 */
export type KeyedLimiter = (key: string) => Promise<number>;

export function keyedLimiter(opts: { windowMs: number; limit: number }): KeyedLimiter {
  let store: InstanceType<RateLimitModule['MemoryStore']> | undefined;
  return async (key) => {
    if (!store) {
      const erl = await rateLimitModule.load();
      if (!store) {
        store = new erl.MemoryStore();
        // The store reads only windowMs (its expiry timer is unref'd: it never holds the process).
        store.init({ windowMs: opts.windowMs } as Options);
      }
    }
    const { totalHits, resetTime } = await store.increment(key);
    if (totalHits <= opts.limit) return 0;
    const resetAt = resetTime?.getTime() ?? Date.now() + opts.windowMs;
    return Math.max(1, Math.ceil((resetAt - Date.now()) / 1000));
  };
}

/** What /mcp answers when a session is over its limit (a JSON-RPC error; cloud/routes/mcp.ts). */
export interface SessionLimitRefusal {
  message: string;
  headers: Record<string, string>;
}

/**
 * RATE_LIMIT_MCP_PER_SESSION requests per minute and session on /mcp (generous: an assistant
 * working through a base makes a few calls a second at most). Resolves undefined when the request
 * may go on.
 */
export function mcpSessionLimiter(
  settings: RateLimitSettings,
): (sessionKey: string) => Promise<SessionLimitRefusal | undefined> {
  const limiter = keyedLimiter({
    windowMs: 60_000,
    limit: scaled(settings.mcpPerSession, settings),
  });
  return async (sessionKey) => {
    const wait = await limiter(`mcp:${sessionKey}`);
    if (wait === 0) return undefined;
    return {
      message: `Too many requests on this session; retry in ${wait} s.`,
      headers: { 'Retry-After': String(wait), 'Cache-Control': 'no-store' },
    };
  };
}
