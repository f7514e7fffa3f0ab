/** The stored form of an Airtable OAuth token set (UserToken.tokens, encrypted at rest). */
import type { AirtableTokenSet } from '../airtable/oauth-client';
import type { AirtableCredential } from '../storage/base';

export function oauthCredential(tokens: AirtableTokenSet): AirtableCredential {
  return {
    kind: 'oauth',
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    accessExpiresAt: tokens.accessExpiresAt.toISOString(),
    refreshExpiresAt: tokens.refreshExpiresAt.toISOString(),
    scope: tokens.scope,
  };
}
