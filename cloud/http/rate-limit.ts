/**
 * Per-client-IP rate limits (express-rate-limit as plain middleware; no express import needed).
 * Behind Back4App's proxy the client address is the LAST X-Forwarded-For entry (added by the
 * proxy itself); earlier entries are client-controlled and ignored. We cannot set `trust proxy`
 * on Back4App's app, so the key is computed here.
 */
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';

export function clientIp(req: Request): string {
  const xff = req.headers['x-forwarded-for'];
  const list = (Array.isArray(xff) ? xff.join(',') : (xff ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return list[list.length - 1] ?? req.socket.remoteAddress ?? 'unknown';
}

export function perIpLimit(opts: {
  windowMs: number;
  limit: number;
  name: string;
}): RequestHandler {
  return rateLimit({
    windowMs: opts.windowMs,
    limit: Number(process.env.RATE_LIMIT_MULTIPLIER ?? '1') * opts.limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req) => `${opts.name}:${ipKeyGenerator(clientIp(req))}`,
    validate: { xForwardedForHeader: false, trustProxy: false },
    handler: (_req, res) => {
      res.status(429).setHeader('Cache-Control', 'no-store');
      res.json({
        error: 'rate_limited',
        error_description: 'Too many requests from your address; wait a minute and try again.',
      });
    },
  }) as unknown as RequestHandler;
}
