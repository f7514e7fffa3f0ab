/**
 * OAuth errors: one class per error code (the MCP SDK's classes, which import nothing, plus the
 * codes it lacks), and the only functions that write an OAuth error - as JSON (RFC 6749 section
 * 5.2, RFC 7591 section 3.2.2, RFC 7009 section 2.2.1) or, before a redirect URI is trusted, as an
 * HTML page (RFC 6749 section 4.1.2.1). Every one sets Cache-Control: no-store. Messages are
 * client-safe: never a token, never a stack trace.
 */
import type { Request, Response } from 'express';
import {
  InvalidClientError,
  InvalidGrantError,
  OAuthError,
  ServerError,
  TemporarilyUnavailableError,
} from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { HttpError, sendError } from '../../http/errors';
import { log } from '../../log';
import { count, countAuthFailure } from '../../observability/metrics';
import { StorageUnavailableError } from '../../storage/base';
import { sendPage, setPageHeaders } from '../../web/page-headers';
import { errorPage } from '../../web/pages';

export {
  AccessDeniedError,
  InvalidClientError,
  InvalidClientMetadataError,
  InvalidGrantError,
  InvalidRequestError,
  InvalidScopeError,
  InvalidTargetError,
  OAuthError,
  ServerError,
  TemporarilyUnavailableError,
  TooManyRequestsError,
  UnauthorizedClientError,
  UnsupportedGrantTypeError,
  UnsupportedResponseTypeError,
} from '@modelcontextprotocol/sdk/server/auth/errors.js';

/** RFC 7591 section 3.2.2: a redirect URI in a registration request is not acceptable. */
export class InvalidRedirectUriError extends OAuthError {
  static override errorCode = 'invalid_redirect_uri';
}

/**
 * HTTP status per error code: 401 for invalid_client (RFC 6749 section 5.2), 400 for the other
 * token and registration errors, and the obvious ones for the rest.
 */
export function oauthStatus(code: string): number {
  switch (code) {
    case 'invalid_client':
    case 'invalid_token':
      return 401;
    case 'access_denied':
    case 'insufficient_scope':
      return 403;
    case 'method_not_allowed':
      return 405;
    case 'too_many_requests':
      return 429;
    case 'server_error':
      return 500;
    case 'temporarily_unavailable':
      return 503;
    default:
      return 400;
  }
}

/** Anything thrown, as an OAuthError (unknown errors become a detail-free server_error). */
export function asOAuthError(err: unknown): OAuthError | HttpError {
  if (err instanceof OAuthError || err instanceof HttpError) return err;
  if (err instanceof StorageUnavailableError) return new TemporarilyUnavailableError(err.message);
  return new ServerError('Internal error; it has been logged.');
}

export interface ErrorOptions {
  /**
   * The client tried HTTP Basic authentication: an invalid_client answer then carries
   * `WWW-Authenticate: Basic` (RFC 6749 section 5.2).
   */
  basicChallenge?: boolean;
}

/** Writes `err` as an OAuth JSON error (`{error, error_description}`), no-store, no-cache. */
export function sendOAuthError(
  res: Response,
  err: unknown,
  req?: Request,
  opts: ErrorOptions = {},
): void {
  if (!res.headersSent) res.setHeader('Pragma', 'no-cache');
  const known = asOAuthError(err);
  if (err instanceof StorageUnavailableError) count('storage_unavailable');
  if (known instanceof InvalidClientError) countAuthFailure('oauth_client');
  if (known instanceof InvalidGrantError) countAuthFailure('oauth_grant');
  if (known instanceof HttpError) {
    // Body-reading errors (413, 415, malformed JSON) keep their status and code.
    sendError(res, err, req);
    return;
  }
  if (known instanceof ServerError && !(err instanceof ServerError)) {
    sendError(res, err, req);
    return;
  }
  const headers: Record<string, string> = {};
  if (known instanceof InvalidClientError && opts.basicChallenge)
    headers['WWW-Authenticate'] = 'Basic realm="oauth", charset="UTF-8"';
  if (known instanceof TemporarilyUnavailableError) headers['Retry-After'] = '5';
  sendError(
    res,
    new HttpError(oauthStatus(known.errorCode), known.errorCode, known.message, headers),
    req,
  );
}

/** Security headers for every HTML page (one helper for all our pages: cloud/web/page-headers.ts). */
export { setPageHeaders };

/**
 * The error page shown instead of redirecting, while the client or its redirect URI is not
 * trusted (RFC 6749 section 4.1.2.1: "MUST NOT automatically redirect the user-agent").
 */
export function sendOAuthErrorPage(res: Response, err: unknown, status?: number): void {
  const known = asOAuthError(err);
  if (err instanceof StorageUnavailableError) count('storage_unavailable');
  const code = known instanceof HttpError ? known.code : known.errorCode;
  const httpStatus = status ?? (known instanceof HttpError ? known.status : oauthStatus(code));
  if (!(err instanceof OAuthError) && !(err instanceof HttpError))
    log.error({ err: err instanceof Error ? err.message : String(err) }, 'authorize page error');
  sendPage(
    res,
    httpStatus,
    errorPage({
      title: 'This connection request cannot continue',
      message: known.message,
      code,
      fix:
        code === 'too_many_requests'
          ? 'Wait a minute, then go back to the application you were connecting and start the connection again.'
          : "Go back to the application you were connecting and start the connection again. If this keeps happening, tell the application's developer what this page says.",
    }),
  );
}
