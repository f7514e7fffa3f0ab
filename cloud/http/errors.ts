/**
 * One error type for HTTP answers and one function that writes every error response: known
 * errors keep their status and client-safe message; anything else is a 500 with no detail
 * (no stack trace, no token), logged server-side.
 */
import type { Request, Response } from 'express';
import { log } from '../log';
import { count } from '../observability/metrics';
import { StorageUnavailableError } from '../storage/base';

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

export function wantsHtml(req: Request): boolean {
  const accept = String(req.headers.accept ?? '');
  return accept.includes('text/html') && !accept.startsWith('application/json');
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
