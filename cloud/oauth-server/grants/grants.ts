/**
 * Grant families: everything issued from one authorization code shares a grant id - the code,
 * every refresh token (OAuthRefreshToken.grant_id) and every access token (UserSession rows with
 * data.grantId). A replayed code or refresh token revokes the whole family (RFC 6749 section
 * 4.1.2 "SHOULD revoke all tokens previously issued based on that authorization code"; OAuth
 * 2.1 section 4.3.1 and RFC 9700 section 4.14.2 for refresh token reuse).
 */
import { randomSecret } from '../../crypto/keyed-hash';
import { timings, type OAuthCoreDeps } from '../options';
import type { GrantRecord } from '../store/store';

export async function createGrant(
  deps: OAuthCoreDeps,
  fields: {
    userId: string;
    credentialId?: string | undefined;
    clientId: string;
    scopes: string[];
    resource: string;
  },
): Promise<GrantRecord> {
  const now = deps.now();
  const { credentialId, ...rest } = fields;
  const grant: GrantRecord = {
    grantId: randomSecret(16),
    ...rest,
    ...(credentialId !== undefined ? { credentialId } : {}),
    revoked: false,
    createdAt: now,
    expiresAt: new Date(now.getTime() + timings(deps).refreshTokenTtlMs),
  };
  await deps.oauthStore.createGrant(grant);
  return grant;
}

/** Revokes the grant, its refresh tokens and its access tokens. */
export async function revokeGrantFamily(deps: OAuthCoreDeps, grantId: string): Promise<void> {
  await deps.oauthStore.revokeGrant(grantId);
  await deps.storage.revokeGrantSessions(grantId);
}

/**
 * Revokes every grant of one user, with their tokens: for "sign out everywhere" (the lead's
 * POST /auth/logout all=true). Returns how many grants were revoked.
 */
export async function revokeUserGrants(deps: OAuthCoreDeps, userId: string): Promise<number> {
  const ids = await deps.oauthStore.revokeUserGrants(userId);
  for (const id of ids) await deps.storage.revokeGrantSessions(id);
  return ids.length;
}
