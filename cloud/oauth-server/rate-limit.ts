/**
 * Per-IP limits on the endpoints that create rows for anyone who asks (registration, consent
 * pages). The key is the proxy-added client address (cloud/http/rate-limit.ts clientIp); the
 * answer is an OAuth error document.
 */
import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { clientIp } from '../http/rate-limit';
import { sendOAuthError, sendOAuthErrorPage, TooManyRequestsError } from './errors';

export interface LimitOptions {
  name: string;
  windowMs: number;
  limit: number;
  /** Answer with an HTML page (browser navigations) instead of JSON. */
  html?: boolean;
}

export function oauthRateLimit(opts: LimitOptions): RequestHandler {
  return rateLimit({
    windowMs: opts.windowMs,
    limit: opts.limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req) => `${opts.name}:${ipKeyGenerator(clientIp(req))}`,
    validate: { xForwardedForHeader: false, trustProxy: false },
    handler: (req, res) => {
      const err = new TooManyRequestsError('Too many requests from your address; try again later.');
      if (opts.html) sendOAuthErrorPage(res, err);
      else sendOAuthError(res, err, req);
    },
  }) as unknown as RequestHandler; // express-rate-limit's own Request/Response types; same objects
}
