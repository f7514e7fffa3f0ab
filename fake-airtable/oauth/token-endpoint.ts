/**
 * POST /oauth2/v1/token (airtable.com/developers/web/api/oauth-reference): authorization_code with
 * PKCE, and refresh_token with rotation. Errors are `{error, error_description}` (RFC 6749 5.2).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeContext } from '../context';
import { OAuthTokenError, invalidGrant, invalidTokenRequest } from '../http/errors';
import { mediaType, readBody, sendJson } from '../http/io';
import type { Grant, OAuthClient } from '../state/model';
import { authenticateClient } from './client-auth';
import { createGrant, revokeGrant, rotateGrant, tokenResponse } from './grants';
import { CODE_VERIFIER_PATTERN, verifierMatches } from './pkce';
import { parseScopes } from './scopes';

const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

function exchangeCode(ctx: FakeContext, client: OAuthClient, body: URLSearchParams): Grant {
  const codeValue = body.get('code');
  if (!codeValue) throw invalidTokenRequest('code is required.');
  const code = ctx.store.codes.get(codeValue);
  if (!code) throw invalidGrant('Unknown authorization code.');
  // Single use even when this exchange fails (oauth-reference).
  const alreadyUsed = code.used;
  code.used = true;
  if (alreadyUsed) throw invalidGrant('The authorization code was already used.');
  if (code.clientId !== client.clientId)
    throw invalidGrant('The code was issued to another client.');
  if (ctx.clock.now() - code.createdAt > ctx.config.authorizationCodeTtlSeconds * 1000)
    throw invalidGrant('The authorization code expired (codes are valid for 10 minutes).');
  const redirectUri = body.get('redirect_uri');
  if (redirectUri !== code.redirectUri)
    throw invalidGrant('redirect_uri does not match the one used at /authorize.');
  const verifier = body.get('code_verifier');
  if (verifier === null) throw invalidTokenRequest('code_verifier is required (PKCE).');
  if (!CODE_VERIFIER_PATTERN.test(verifier))
    throw invalidGrant('code_verifier must be 43-128 characters of [A-Za-z0-9._-].');
  if (!verifierMatches(verifier, code.codeChallenge))
    throw invalidGrant('code_verifier does not match the code_challenge (S256).');
  return createGrant(ctx, {
    clientId: client.clientId,
    userId: code.userId,
    scopes: code.scopes,
    bases: code.bases,
  });
}

/** Thrown for a retry of the refresh token rotated moments ago: 409, and the grant survives. */
class RecentlyRefreshed extends OAuthTokenError {
  constructor() {
    super(
      409,
      'conflict',
      'This refresh token was recently refreshed: use the tokens returned by that refresh.',
    );
  }
}

function refresh(ctx: FakeContext, client: OAuthClient, body: URLSearchParams): Grant {
  const token = body.get('refresh_token');
  if (!token) throw invalidTokenRequest('refresh_token is required.');
  const ref = ctx.store.refreshTokens.get(token);
  const grant = ref ? ctx.store.grants.get(ref.grantId) : undefined;
  if (!ref || !grant) throw invalidGrant('Unknown refresh token.');
  if (grant.clientId !== client.clientId)
    throw invalidGrant('The refresh token belongs to another client.');
  if (grant.revoked) throw invalidGrant('The grant was revoked.');
  const now = ctx.clock.now();
  if (ref.generation !== grant.generation) {
    const prev = grant.previousRefresh;
    if (prev && prev.token === token && now - prev.rotatedAt <= ctx.config.refreshConflictWindowMs)
      throw new RecentlyRefreshed();
    // Reuse of a rotated refresh token: treat as theft and revoke the whole grant.
    revokeGrant(grant);
    throw invalidGrant('The refresh token was already used; the grant is now revoked.');
  }
  if (now >= grant.refreshExpiresAt) throw invalidGrant('The refresh token expired.');
  let scopes = grant.scopes;
  const scopeParam = body.get('scope');
  if (scopeParam !== null) {
    const narrower = parseScopes(scopeParam);
    if (!narrower || narrower.some((s) => !grant.scopes.includes(s)))
      throw new OAuthTokenError(
        400,
        'invalid_scope',
        'scope must be a subset of the granted scopes.',
      );
    scopes = narrower;
  }
  rotateGrant(ctx, grant, scopes);
  ctx.stats.refresh(grant.userId);
  return grant;
}

export async function handleToken(
  ctx: FakeContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  let grantType = '';
  try {
    if (mediaType(req) !== 'application/x-www-form-urlencoded') {
      ctx.stats.tokenRequest('(bad content type)');
      throw invalidTokenRequest('The body must be application/x-www-form-urlencoded.');
    }
    const body = new URLSearchParams(await readBody(req));
    grantType = body.get('grant_type') ?? '';
    ctx.stats.tokenRequest(grantType);
    for (const key of new Set(body.keys()))
      if (body.getAll(key).length > 1) throw invalidTokenRequest(`${key} is repeated.`);
    const client = authenticateClient(ctx, req, body);
    let grant: Grant;
    if (grantType === 'authorization_code') grant = exchangeCode(ctx, client, body);
    else if (grantType === 'refresh_token') grant = refresh(ctx, client, body);
    else if (grantType === '') throw invalidTokenRequest('grant_type is required.');
    else
      throw new OAuthTokenError(
        400,
        'unsupported_grant_type',
        `grant_type "${grantType}" is not supported.`,
      );
    sendJson(res, 200, tokenResponse(ctx, grant), NO_STORE);
  } catch (err) {
    if (!(err instanceof OAuthTokenError)) throw err;
    ctx.stats.tokenError(err.status === 409 ? 'conflict_409' : err.error);
    const headers: Record<string, string> = { ...NO_STORE };
    if (err.status === 401 && req.headers.authorization !== undefined)
      headers['WWW-Authenticate'] = 'Basic realm="airtable"';
    sendJson(res, err.status, { error: err.error, error_description: err.description }, headers);
  }
}
