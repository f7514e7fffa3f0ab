/**
 * The last step of an approved authorization request: issue our authorization code (RFC 6749
 * section 4.1.2) for the Airtable user who signed in, and build the redirect back to the client.
 * Called by the consent decision (person already signed in) and by the lead's /auth/callback
 * after the Airtable sign-in that a PendingAuthorization started.
 */
import { keyedHash, randomSecret } from '../../crypto/keyed-hash';
import type { CredentialRef, PendingAuthorization } from '../../storage/base';
import { findClient } from '../clients/clients';
import { InvalidClientError } from '../protocol/errors';
import { createGrant } from './grants';
import { HASH_PURPOSE, timings, type OAuthCoreDeps } from '../options';
import { successRedirect } from '../protocol/redirect';
import { isRegisteredRedirectUri } from '../protocol/redirect-uri';
import { normalizeScopes } from '../protocol/scopes';

/**
 * Issues a code (256-bit, stored hashed, 10 minutes, single use) bound to the client, redirect
 * URI, PKCE challenge, resource, scopes, the Airtable user and the stored credential every token
 * of the grant will use, and returns the client's redirect URI with `code`, `state` and `iss`.
 *
 * Throws InvalidClientError when the client disappeared or no longer lists the redirect URI:
 * then nothing can be sent back to it; show an error page.
 */
export async function completeAuthorization(
  deps: OAuthCoreDeps,
  pending: PendingAuthorization,
  credential: CredentialRef,
): Promise<string> {
  const userId = credential.userId;
  const found = await findClient(deps, pending.clientId);
  if (!found.ok) throw new InvalidClientError(found.message);
  if (!isRegisteredRedirectUri(found.client.metadata.redirect_uris, pending.redirectUri))
    throw new InvalidClientError('The client no longer lists this redirect URI.');
  const scopes = normalizeScopes(pending.scopes);
  const grant = await createGrant(deps, {
    userId,
    credentialId: credential.credentialId,
    clientId: pending.clientId,
    scopes,
    resource: pending.resource,
  });
  // A personal access token lives as long as what uses it; now this grant does too.
  await deps.storage.extendUserTokenExpiry(credential, grant.expiresAt);
  const code = randomSecret(32);
  const now = deps.now();
  await deps.oauthStore.createCode(
    keyedHash(deps.config.secretKey, HASH_PURPOSE.code, code),
    {
      clientId: pending.clientId,
      redirectUri: pending.redirectUri,
      codeChallenge: pending.codeChallenge,
      resource: pending.resource,
      scopes,
      userId,
      grantId: grant.grantId,
    },
    new Date(now.getTime() + timings(deps).codeTtlMs),
  );
  return successRedirect(deps.config, pending, code);
}
