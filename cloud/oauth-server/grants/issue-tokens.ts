/**
 * Minting tokens for a grant (RFC 6749 section 5.1). Access tokens are opaque 256-bit secrets:
 * UserSession rows of kind mcp_access, bound to the client, scopes, resource (audience, RFC 8707)
 * and grant; stored hashed by Storage. Refresh tokens are opaque 256-bit secrets stored hashed in
 * OAuthRefreshToken, rotated on every use (OAuth 2.1 section 4.3.1). Never an Airtable token.
 */
import { keyedHash, randomSecret } from '../../crypto/keyed-hash';
import type { ResolvedClient } from '../clients/clients';
import { InvalidGrantError } from '../protocol/errors';
import { revokeGrantFamily } from './grants';
import { HASH_PURPOSE, MCP_OAUTH_PLATFORM, timings, type OAuthCoreDeps } from '../options';
import { scopeString } from '../protocol/scopes';
import type { GrantRecord } from '../store/store';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  scope: string;
}

export async function issueTokens(
  deps: OAuthCoreDeps,
  client: ResolvedClient,
  grant: GrantRecord,
  scopes: string[],
): Promise<TokenResponse> {
  const t = timings(deps);
  const { secret } = await deps.storage.createSession(
    grant.userId,
    {
      platform: MCP_OAUTH_PLATFORM,
      kind: 'mcp_access',
      clientId: client.clientId,
      scopes,
      resource: grant.resource,
      grantId: grant.grantId,
      ...(grant.credentialId !== undefined ? { credentialId: grant.credentialId } : {}),
    },
    t.accessTokenTtlMs,
  );
  const response: TokenResponse = {
    access_token: secret,
    token_type: 'Bearer',
    expires_in: Math.floor(t.accessTokenTtlMs / 1000),
    scope: scopeString(scopes),
  };
  if (client.metadata.grant_types.includes('refresh_token')) {
    const refresh = randomSecret(32);
    const expiresAt = new Date(deps.now().getTime() + t.refreshTokenTtlMs);
    await deps.oauthStore.createRefreshToken(
      keyedHash(deps.config.secretKey, HASH_PURPOSE.refreshToken, refresh),
      { grantId: grant.grantId, clientId: client.clientId },
      expiresAt,
    );
    await deps.oauthStore.extendGrant(grant.grantId, expiresAt);
    response.refresh_token = refresh;
  }
  // A replay may have revoked the family while we were minting: then nothing we made survives.
  const after = await deps.oauthStore.getGrant(grant.grantId);
  if (!after || after.revoked) {
    await revokeGrantFamily(deps, grant.grantId);
    throw new InvalidGrantError('The grant was revoked.');
  }
  return response;
}
