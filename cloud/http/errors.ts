/**
 * One error type for HTTP answers and one function that writes every error response: known
 * errors keep their status and client-safe message; anything else is a 500 with no detail
 * (no stack trace, no token), logged server-side. A browser (Accept prefers text/html) gets the
 * same status as an HTML page that says what to do (cloud/web/error-pages.ts); API clients
 * (application/json, the any-type wildcard or no Accept) get JSON.
 */
import type { Request, Response } from 'express';
import { log } from '../log';
import { count } from '../observability/metrics';
import { StorageUnavailableError } from '../storage/base';
import { httpErrorPage } from '../web/error-pages';
import { sendPage } from '../web/page-headers';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The q-value a media range in an Accept header gives `type`, or undefined if it is not named. */
function namedQuality(accept: string, type: string): number | undefined {
  let best: number | undefined;
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (range !== type) continue;
    const q = params.find((p) => p.startsWith('q='));
    const value = q ? Number(q.slice(2)) : 1;
    const quality = Number.isFinite(value) ? Math.min(Math.max(value, 0), 1) : 0;
    best = Math.max(best ?? 0, quality);
  }
  return best;
}

/**
 * Whether to answer with a page: the client names text/html (browsers' navigations and form
 * posts do) with a q-value no lower than application/json's (RFC 9110 section 12.5.1). The bare
 * wildcard (curl, fetch) or no Accept at all means an API client: JSON.
 */
export function wantsHtml(req: Request): boolean {
  const accept = String(req.headers.accept ?? '').slice(0, 1024);
  const html = namedQuality(accept, 'text/html');
  if (!html) return false;
  return html >= (namedQuality(accept, 'application/json') ?? 0);
}

/** Writes `err` as JSON ({error, error_description}) with Cache-Control: no-store. */
export function sendError(res: Response, err: unknown, req?: Request): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (err instanceof StorageUnavailableError) {
    // The database is down or restarting: a retryable 503, not a 500 (the request changed nothing).
    count('storage_unavailable');
    err = new HttpError(503, 'temporarily_unavailable', err.message, { 'Retry-After': '5' });
  }
  const known = err instanceof HttpError ? err : undefined;
  if (!known)
    log.error(
      { err: err instanceof Error ? err.message : String(err), path: req?.path },
      'unhandled error',
    );
  const status = known?.status ?? 500;
  const code = known?.code ?? 'server_error';
  const message = known?.message ?? 'Internal error; it has been logged.';
  if (req && wantsHtml(req)) {
    sendPage(res, status, httpErrorPage({ status, code, message, path: req.path }), {
      ...(known?.headers ?? {}),
    });
    return;
  }
  res.status(status);
  res.setHeader('Cache-Control', 'no-store');
  for (const [k, v] of Object.entries(known?.headers ?? {})) res.setHeader(k, v);
  res.json({ error: code, error_description: message, ...(known?.extra ?? {}) });
}

/** Wraps an async handler so every rejection becomes an error response (Express 4 has no async support). */
export function handle(
  fn: (req: Request, res: Response) => Promise<void>,
): (req: Request, res: Response) => void {
  return (req, res) => {
    fn(req, res).catch((err: unknown) => sendError(res, err, req));
  };
}
