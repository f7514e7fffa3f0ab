/**
 * grant_type=refresh_token (RFC 6749 section 6) with rotation (OAuth 2.1 section 4.3.1): each
 * refresh token works once; presenting a used one revokes the whole grant family (RFC 9700
 * section 4.14.2). A narrower `scope` narrows the new access token only.
 *
 * Client mistakes do not burn the token: client, grant, resource and scope are checked BEFORE the
 * token is claimed, so a refused request (say `invalid_scope` for a wider scope) leaves it usable.
 * Two refreshes of one token by its client that race (a client retrying, two tabs) get a grace
 * window of REFRESH_REUSE_GRACE_MS: the second also gets a valid pair instead of revoking the
 * family. Reuse after the window still revokes the family, and is logged.
 */
import { z } from 'zod';
import { keyedHash } from '../../crypto/keyed-hash';
import { log } from '../../log';
import { countAuthFailure } from '../../observability/metrics';
import { CredentialUnreadableError, type UserTokenRecord } from '../../storage/base';
import type { ResolvedClient } from '../clients/clients';
import { InvalidGrantError, InvalidRequestError, InvalidTargetError } from '../protocol/errors';
import { revokeGrantFamily } from '../grants/grants';
import { issueTokens, type TokenResponse } from '../grants/issue-tokens';
import { HASH_PURPOSE, timings, type OAuthCoreDeps } from '../options';
import { parseScope } from '../protocol/scopes';
import type { GrantRecord } from '../store/store';

/** A few seconds: long enough for a retried or duplicated request, short for a stolen token. */
export const REFRESH_REUSE_GRACE_MS = 5_000;

export const RefreshTokenBody = z.object({
  refresh_token: z
    .string({ error: 'refresh_token is required.' })
    .min(1, 'refresh_token is required.')
    .max(512),
  scope: z.string().max(1024).optional(),
  resource: z.string().max(2048).optional(),
});

const BAD_TOKEN = 'The refresh token is invalid, expired or revoked.';

/** The grant's Airtable credential, when it still works (else our tokens would be useless). */
async function usableCredential(
  deps: OAuthCoreDeps,
  grant: GrantRecord,
): Promise<UserTokenRecord | undefined> {
  try {
    const token = await deps.storage.getUserToken({
      userId: grant.userId,
      credentialId: grant.credentialId,
    });
    return token && token.status === 'active' && token.expiresAt > deps.now() ? token : undefined;
  } catch (err) {
    if (err instanceof CredentialUnreadableError) return undefined;
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
  const hash = keyedHash(deps.config.secretKey, HASH_PURPOSE.refreshToken, req.refresh_token);
  // Everything that can refuse the request is checked before the token is used up.
  const found = await deps.oauthStore.findRefreshToken(hash);
  if (!found) throw new InvalidGrantError(BAD_TOKEN);
  if (found.clientId !== client.clientId)
    throw new InvalidGrantError('The refresh token was issued to another client.');
  const grant = await deps.oauthStore.getGrant(found.grantId);
  if (!grant || grant.revoked) throw new InvalidGrantError(BAD_TOKEN);
  if (req.resource !== undefined && req.resource.replace(/\/+$/, '') !== grant.resource)
    throw new InvalidTargetError('resource does not match the grant.');
  // RFC 6749 section 6: the new scope may not exceed the original grant.
  const scopes = parseScope(req.scope, grant.scopes, grant.scopes);
  const credential = await usableCredential(deps, grant);
  if (!credential) {
    await revokeGrantFamily(deps, grant.grantId);
    throw new InvalidGrantError(
      'The Airtable connection behind this grant ended; authorize again to sign in to Airtable.',
    );
  }

  const claimed = await deps.oauthStore.claimRefreshToken(hash);
  if (!claimed) throw new InvalidGrantError(BAD_TOKEN);
  if (claimed.uses > 1) {
    const sinceFirst = claimed.firstUsedAt
      ? deps.now().getTime() - claimed.firstUsedAt.getTime()
      : 0; // the first use is being recorded right now
    if (sinceFirst > REFRESH_REUSE_GRACE_MS) {
      countAuthFailure('refresh_reuse');
      log.warn(
        { grantId: grant.grantId, clientId: client.clientId, uses: claimed.uses },
        'refresh token reused after its grace window; grant family revoked',
      );
      await revokeGrantFamily(deps, grant.grantId);
      throw new InvalidGrantError(BAD_TOKEN);
    }
  }
  // A personal access token lives as long as what uses it (cloud/auth/signin.ts).
  if (credential.credential.kind === 'pat')
    await deps.storage.extendUserTokenExpiry(
      { userId: grant.userId, credentialId: grant.credentialId },
      new Date(deps.now().getTime() + timings(deps).refreshTokenTtlMs),
    );
  return issueTokens(deps, client, grant, scopes);
}
