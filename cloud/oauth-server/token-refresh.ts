/**
 * grant_type=refresh_token (RFC 6749 section 6) with rotation (OAuth 2.1 section 4.3.1): each
 * refresh token works once; presenting a used one revokes the whole grant family (RFC 9700
 * section 4.14.2). A narrower `scope` narrows the new access token only.
 */
import { z } from 'zod';
import { keyedHash } from '../crypto/keyed-hash';
import { CredentialUnreadableError } from '../storage/base';
import type { ResolvedClient } from './clients';
import { InvalidGrantError, InvalidRequestError, InvalidTargetError } from './errors';
import { revokeGrantFamily } from './grants';
import { issueTokens, type TokenResponse } from './issue-tokens';
import { HASH_PURPOSE, type OAuthCoreDeps } from './options';
import { parseScope } from './scopes';

export const RefreshTokenBody = z.object({
  refresh_token: z
    .string({ error: 'refresh_token is required.' })
    .min(1, 'refresh_token is required.')
    .max(512),
  scope: z.string().max(1024).optional(),
  resource: z.string().max(2048).optional(),
});

const BAD_TOKEN = 'The refresh token is invalid, expired or revoked.';

/** The person's Airtable connection still works (else our tokens would be useless). */
async function airtableUsable(deps: OAuthCoreDeps, userId: string): Promise<boolean> {
  try {
    const token = await deps.storage.getUserToken(userId);
    return !!token && token.status === 'active' && token.expiresAt > deps.now();
  } catch (err) {
    if (err instanceof CredentialUnreadableError) return false;
    throw err;
  }
}

export async function refreshTokens(
  deps: OAuthCoreDeps,
  client: ResolvedClient,
  body: Record<string, unknown>,
): Promise<TokenResponse> {
  const parsed = RefreshTokenBody.safeParse(body);
  if (!parsed.success)
    throw new InvalidRequestError(parsed.error.issues[0]?.message ?? 'Malformed token request.');
  const req = parsed.data;
  const claimed = await deps.oauthStore.claimRefreshToken(
    keyedHash(deps.config.secretKey, HASH_PURPOSE.refreshToken, req.refresh_token),
  );
  if (!claimed) throw new InvalidGrantError(BAD_TOKEN);
  if (claimed.uses > 1) {
    await revokeGrantFamily(deps, claimed.data.grantId);
    throw new InvalidGrantError(BAD_TOKEN);
  }
  if (claimed.data.clientId !== client.clientId)
    throw new InvalidGrantError('The refresh token was issued to another client.');
  const grant = await deps.oauthStore.getGrant(claimed.data.grantId);
  if (!grant || grant.revoked) throw new InvalidGrantError(BAD_TOKEN);
  if (req.resource !== undefined && req.resource.replace(/\/+$/, '') !== grant.resource)
    throw new InvalidTargetError('resource does not match the grant.');
  // RFC 6749 section 6: the new scope may not exceed the original grant.
  const scopes = parseScope(req.scope, grant.scopes, grant.scopes);
  if (!(await airtableUsable(deps, grant.userId))) {
    await revokeGrantFamily(deps, grant.grantId);
    throw new InvalidGrantError(
      'The Airtable connection behind this grant ended; authorize again to sign in to Airtable.',
    );
  }
  return issueTokens(deps, client, grant, scopes);
}
