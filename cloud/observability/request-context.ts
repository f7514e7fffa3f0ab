/**
 * Per-request context for every route of ours: a request id (a sane incoming X-Request-Id - from
 * a proxy or the client - is kept, anything else is replaced by a UUID), echoed in the response's
 * X-Request-Id header and attached to every log line written while the request is handled
 * (request-store.ts + the mixin in cloud/log.ts); one access log line per request; counters.
 *
 * The path is logged without its query: /auth/callback?code=...&state=... carries secrets.
 */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { log } from '../log';
import { count } from './metrics';
import { requestStore } from './request-store';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** What we accept from outside: short, printable, no spaces or separators a log parser trips on. */
const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:@+=/-]{0,127}$/;

export function requestIdFrom(req: Request): string {
  const raw = req.headers['x-request-id'];
  const incoming = Array.isArray(raw) ? raw[0] : raw;
  return incoming !== undefined && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** Express middleware (plain function, so no express import is needed at runtime). */
export function requestContext(): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    const requestId = requestIdFrom(req);
    const started = process.hrtime.bigint();
    res.setHeader(REQUEST_ID_HEADER, requestId);
    count('http_requests');
    res.once('finish', () => {
      const status = res.statusCode;
      if (status >= 500) count('http_responses_5xx');
      else if (status >= 400) count('http_responses_4xx');
      const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
      const line = { requestId, method: req.method, path: pathOf(req), status, ms };
      if (status >= 500) log.warn(line, 'request failed');
      else log.debug(line, 'request');
    });
    requestStore.run({ requestId }, () => next());
  };
}

function pathOf(req: Request): string {
  const url = req.originalUrl ?? req.url ?? '';
  const q = url.indexOf('?');
  return (q < 0 ? url : url.slice(0, q)).slice(0, 200);
}
