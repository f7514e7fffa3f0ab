/**
 * The error shapes the fake answers with, copied from what Airtable sends:
 * - Web API (airtable.com/developers/web/api/errors): `{"error": {"type": "...", "message": "..."}}`,
 *   except a few routes that answer a bare `{"error": "NOT_FOUND"}`.
 * - OAuth token endpoint (RFC 6749 section 5.2, airtable.com/developers/web/api/oauth-reference):
 *   `{"error": "...", "error_description": "..."}`.
 */

/** A Web API error: thrown anywhere below a /v0 handler and turned into a response by the router. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }

  body(): unknown {
    return { error: { type: this.type, message: this.message } };
  }
}

/** Airtable answers unknown routes and some missing models with a bare string error. */
export class BareNotFoundError extends ApiError {
  constructor() {
    super(404, 'NOT_FOUND', 'Could not find what you are looking for');
  }
  override body(): unknown {
    return { error: 'NOT_FOUND' };
  }
}

export const authenticationRequired = () =>
  new ApiError(
    401,
    'AUTHENTICATION_REQUIRED',
    'Authentication required: send a valid, unexpired token as "Authorization: Bearer <token>".',
  );

/** Airtable answers the same 403 for a missing scope, a base outside the token and an unknown base. */
export const invalidPermissions = (why?: string) =>
  new ApiError(
    403,
    'INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND',
    'Invalid permissions, or the requested model was not found. Check that both your user and your token have the required permissions, and that the model names and/or ids are correct.' +
      (why ? ` (fake: ${why})` : ''),
  );

/** Generic parameter validation failure, as Airtable reports it (422). */
export const invalidRequest = (message: string) =>
  new ApiError(422, 'INVALID_REQUEST_UNKNOWN', `Invalid request: ${message}`);

/** An OAuth token-endpoint error (RFC 6749 section 5.2). */
export class OAuthTokenError extends Error {
  override name = 'OAuthTokenError';
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(`${error}: ${description}`);
  }
}

export const invalidClient = (description: string) =>
  new OAuthTokenError(401, 'invalid_client', description);
export const invalidGrant = (description: string) =>
  new OAuthTokenError(400, 'invalid_grant', description);
export const invalidTokenRequest = (description: string) =>
  new OAuthTokenError(400, 'invalid_request', description);

/** An /authorize error that must NOT redirect (unknown client, unregistered redirect_uri). */
export class AuthorizePageError extends Error {
  override name = 'AuthorizePageError';
  constructor(
    readonly error: string,
    message: string,
  ) {
    super(message);
  }
}

/** An /authorize error reported to the client through the redirect URI (RFC 6749 section 4.1.2.1). */
export class AuthorizeRedirectError extends Error {
  override name = 'AuthorizeRedirectError';
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(`${error}: ${description}`);
  }
}

/** Admin API misuse (400 with a plain message). */
export class AdminError extends Error {
  override name = 'AdminError';
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}
