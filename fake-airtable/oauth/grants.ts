/**
 * Grants and their rotating token pair (airtable.com/developers/web/api/oauth-reference,
 * "Token expiry / refresh tokens"): exchanging a refresh token invalidates the previous access AND
 * refresh tokens and returns a new pair; refresh tokens live 60 days.
 */
import type { FakeContext } from '../context';
import { newId, newOpaqueSecret } from '../ids';
import type { BaseGrant, Grant, Scope } from '../state/model';
import { formatScopes } from './scopes';

function issuePair(ctx: FakeContext, grant: Grant): void {
  const now = ctx.clock.now();
  grant.accessToken = newOpaqueSecret('oaa');
  grant.refreshToken = newOpaqueSecret('oar');
  grant.accessExpiresAt = now + ctx.config.accessTokenTtlSeconds * 1000;
  grant.refreshExpiresAt = now + ctx.config.refreshTokenTtlSeconds * 1000;
  const ref = { grantId: grant.id, generation: grant.generation };
  ctx.store.accessTokens.set(grant.accessToken, ref);
  ctx.store.refreshTokens.set(grant.refreshToken, ref);
}

export function createGrant(
  ctx: FakeContext,
  g: { clientId: string; userId: string; scopes: Scope[]; bases: BaseGrant },
): Grant {
  const grant: Grant = {
    id: newId('ogr'),
    ...g,
    createdAt: ctx.clock.now(),
    revoked: false,
    generation: 0,
    accessToken: '',
    accessExpiresAt: 0,
    refreshToken: '',
    refreshExpiresAt: 0,
  };
  issuePair(ctx, grant);
  ctx.store.grants.set(grant.id, grant);
  return grant;
}

/** Rotation: a new pair replaces the old one; the old refresh token is remembered for the 409 window. */
export function rotateGrant(ctx: FakeContext, grant: Grant, scopes?: Scope[]): void {
  grant.previousRefresh = { token: grant.refreshToken, rotatedAt: ctx.clock.now() };
  grant.generation++;
  if (scopes) grant.scopes = scopes;
  issuePair(ctx, grant);
}

export function revokeGrant(grant: Grant): void {
  grant.revoked = true;
}

/** The grant behind a live access token, or undefined (unknown, rotated away, expired or revoked). */
export function grantForAccessToken(ctx: FakeContext, token: string): Grant | undefined {
  const ref = ctx.store.accessTokens.get(token);
  if (!ref) return undefined;
  const grant = ctx.store.grants.get(ref.grantId);
  if (!grant || grant.revoked || grant.generation !== ref.generation) return undefined;
  if (ctx.clock.now() >= grant.accessExpiresAt) return undefined;
  return grant;
}

/** The token response body (oauth-reference: "Response format"). */
export function tokenResponse(ctx: FakeContext, grant: Grant): Record<string, unknown> {
  const now = ctx.clock.now();
  return {
    access_token: grant.accessToken,
    refresh_token: grant.refreshToken,
    token_type: 'Bearer',
    scope: formatScopes(grant.scopes),
    expires_in: Math.round((grant.accessExpiresAt - now) / 1000),
    refresh_expires_in: Math.round((grant.refreshExpiresAt - now) / 1000),
  };
}
