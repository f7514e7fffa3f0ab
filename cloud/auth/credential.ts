/** The stored form of an Airtable OAuth token set (UserToken.tokens, encrypted at rest). */
import type { AirtableTokenSet } from '../airtable/oauth-client';
import type { AirtableCredential } from '../storage/base';

/** `email`: the account's email from whoami, kept across refreshes (consent page, whoami tool). */
export function oauthCredential(tokens: AirtableTokenSet, email?: string): AirtableCredential {
  return {
    kind: 'oauth',
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    accessExpiresAt: tokens.accessExpiresAt.toISOString(),
    refreshExpiresAt: tokens.refreshExpiresAt.toISOString(),
    scope: tokens.scope,
    ...(email ? { email } : {}),
  };
}
