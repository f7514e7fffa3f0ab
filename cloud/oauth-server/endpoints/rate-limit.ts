/**
 * Limits on the authorization server's endpoints: per client address on the endpoints that create
 * rows for anyone who asks (registration, consent pages) and on the token endpoint, plus per
 * client_id on the token endpoint. The address is the one cloud/http/rate-limit.ts trusts
 * (TRUST_PROXY_HOPS); the answer is an OAuth error document (or page) with Retry-After.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { RateLimitSettings } from '../../config';
import { readBody } from '../../http/body';
import { addressKey, hashedKey, lazyRateLimit, scaled } from '../../http/rate-limit';
import { sendOAuthError, sendOAuthErrorPage, TooManyRequestsError } from '../protocol/errors';

export interface LimitOptions {
  name: string;
  windowMs: number;
  limit: number;
  /** Answer with an HTML page (browser navigations) instead of JSON. */
  html?: boolean;
  /** The key of a request (default: the trusted client address); undefined skips the limit. */
  key?: (req: Request) => string | undefined;
}

/** `opts.limit` is taken as is: the caller applies RATE_LIMIT_MULTIPLIER (routes.ts, below). */
export function oauthRateLimit(settings: RateLimitSettings, opts: LimitOptions): RequestHandler {
  const key = opts.key ?? ((req: Request) => addressKey(req, settings));
  return lazyRateLimit(
    (erl) =>
      erl.rateLimit({
        windowMs: opts.windowMs,
        limit: opts.limit,
        standardHeaders: 'draft-7',
        legacyHeaders: false,
        keyGenerator: (req) => `${opts.name}:${key(req as unknown as Request) ?? ''}`,
        // A request without a key (a token request naming no client) is left to the other limits.
        skip: (req) => key(req as unknown as Request) === undefined,
        validate: { xForwardedForHeader: false, trustProxy: false, creationStack: false },
        handler: (req, res) => {
          const err = new TooManyRequestsError('Too many requests; try again later.');
          if (opts.html) sendOAuthErrorPage(res as unknown as Response, err);
          else sendOAuthError(res as unknown as Response, err, req as unknown as Request);
        },
      }) as unknown as RequestHandler, // express-rate-limit's own Request/Response types; same objects
  );
}

/** The token endpoint's body limit (token.ts reads at most this much too). */
const TOKEN_BODY_LIMIT = 16 * 1024;

/**
 * The client a token request names (Basic credentials or the body's client_id) as a limiter key,
 * undefined if none; never throws - malformed credentials are the token handler's to refuse. Both
 * ways of naming one client share one key.
 */
function tokenClientKey(req: Request): string | undefined {
  const basic = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(req.headers.authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      const raw = decoded.slice(0, colon);
      let id = raw;
      try {
        id = decodeURIComponent(raw.replace(/\+/g, ' ')); // RFC 6749 section 2.3.1
      } catch {
        // not form-encoded: the token handler refuses it; count it under its raw form
      }
      return hashedKey(id);
    }
  }
  const body: unknown = req.body;
  const id =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>).client_id : '';
  return typeof id === 'string' && id.length > 0 ? hashedKey(id) : undefined;
}

/**
 * Reads the token request's body once and leaves it on req.body (readBody hands a read body back
 * as is), so the per-client limit can see the client_id before the handler runs.
 */
function readTokenBody(req: Request, res: Response, next: NextFunction): void {
  readBody(req, TOKEN_BODY_LIMIT).then(
    (body) => {
      (req as { body?: unknown }).body = body;
      next();
    },
    (err: unknown) => sendOAuthError(res, err, req),
  );
}

/**
 * POST /token: RATE_LIMIT_TOKEN_PER_IP per minute and address, then RATE_LIMIT_TOKEN_PER_CLIENT per
 * minute and client_id. Hosted assistants (Claude, ChatGPT) call from a few server addresses for
 * all their users, and a Client ID Metadata Document client_id is shared by every user of that
 * product, so both defaults are generous ceilings rather than per-person budgets.
 */
export function tokenRateLimits(settings: RateLimitSettings): RequestHandler[] {
  return [
    oauthRateLimit(settings, {
      name: 'oauth-token-ip',
      windowMs: 60_000,
      limit: scaled(settings.tokenPerIp, settings),
    }),
    readTokenBody,
    oauthRateLimit(settings, {
      name: 'oauth-token-client',
      windowMs: 60_000,
      limit: scaled(settings.tokenPerClient, settings),
      key: tokenClientKey,
    }),
  ];
}
