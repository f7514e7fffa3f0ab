/**
 * grant_type=authorization_code (RFC 6749 section 4.1.3, RFC 7636 section 4.6, RFC 8707). The
 * code is claimed before anything else is checked, so it is single use even when the exchange
 * fails; a second claim revokes everything the first one issued.
 */
import { z } from 'zod';
import { keyedHash } from '../../crypto/keyed-hash';
import type { ResolvedClient } from '../clients/clients';
import { InvalidGrantError, InvalidRequestError, InvalidTargetError } from '../protocol/errors';
import { revokeGrantFamily } from '../grants/grants';
import { issueTokens, type TokenResponse } from '../grants/issue-tokens';
import { HASH_PURPOSE, type OAuthCoreDeps } from '../options';
import { CODE_VERIFIER_PATTERN, verifyPkce } from '../protocol/pkce';

export const AuthorizationCodeBody = z.object({
  code: z.string({ error: 'code is required.' }).min(1, 'code is required.').max(512),
  code_verifier: z
    .string({ error: 'code_verifier is required (PKCE).' })
    .regex(CODE_VERIFIER_PATTERN, 'code_verifier must be 43-128 characters of [A-Za-z0-9._~-].'),
  redirect_uri: z.string().max(2048).optional(),
  resource: z.string().max(2048).optional(),
});

const BAD_CODE = 'The authorization code is invalid, expired or already used.';

export async function exchangeAuthorizationCode(
  deps: OAuthCoreDeps,
  client: ResolvedClient,
  body: Record<string, unknown>,
): Promise<TokenResponse> {
  const parsed = AuthorizationCodeBody.safeParse(body);
  if (!parsed.success)
    throw new InvalidRequestError(parsed.error.issues[0]?.message ?? 'Malformed token request.');
  const req = parsed.data;
  const claimed = await deps.oauthStore.claimCode(
    keyedHash(deps.config.secretKey, HASH_PURPOSE.code, req.code),
  );
  if (!claimed) throw new InvalidGrantError(BAD_CODE);
  const code = claimed.data;
  if (claimed.uses > 1) {
    // RFC 6749 section 4.1.2: a code used twice revokes what it issued.
    await revokeGrantFamily(deps, code.grantId);
    throw new InvalidGrantError(BAD_CODE);
  }
  if (code.clientId !== client.clientId)
    throw new InvalidGrantError('The authorization code was issued to another client.');
  // RFC 6749 section 4.1.3: when sent, redirect_uri must be the authorization request's.
  if (req.redirect_uri !== undefined && req.redirect_uri !== code.redirectUri)
    throw new InvalidGrantError('redirect_uri does not match the authorization request.');
  if (!verifyPkce(req.code_verifier, code.codeChallenge))
    throw new InvalidGrantError('code_verifier does not match the code_challenge.');
  if (req.resource !== undefined && req.resource.replace(/\/+$/, '') !== code.resource)
    throw new InvalidTargetError('resource does not match the authorization request.');
  const grant = await deps.oauthStore.getGrant(code.grantId);
  if (!grant || grant.revoked) throw new InvalidGrantError(BAD_CODE);
  return issueTokens(deps, client, grant, code.scopes);
}
