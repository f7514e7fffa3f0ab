/** What the authorization server's handlers need, its lifetimes and its hash purposes. */
import type { AppDeps } from '../deps';
import type { PendingAuthorization } from '../storage/base';
import type { OAuthServerStore } from './store/store';

/**
 * The Airtable sign-in (cloud/auth): returns Airtable's authorize URL to redirect to. `browser` is
 * the browser-binding value of the browser that approved: the callback completes only there.
 */
export interface AirtableSignInPort {
  start(opts: {
    platform: string;
    pendingAuthorization?: PendingAuthorization;
    browser: string;
  }): Promise<string>;
}

export interface OAuthTimings {
  /** Authorization codes (RFC 6749 section 4.1.2 recommends at most 10 minutes). */
  codeTtlMs: number;
  /** A consent page's form token. */
  consentTtlMs: number;
  /** Access tokens (UserSession rows of kind mcp_access). */
  accessTokenTtlMs: number;
  /** Refresh tokens, and the grant they belong to (renewed by each rotation). */
  refreshTokenTtlMs: number;
  /**
   * A dynamically registered client that never completed an authorization (never got a token)
   * disappears after this long: Claude registers anew on every fresh connection, and most of
   * those registrations are never used again.
   */
  clientUnusedTtlMs: number;
  /** After its first token, a registered client unused for this long disappears. */
  clientIdleTtlMs: number;
}

export const DEFAULT_TIMINGS: OAuthTimings = {
  codeTtlMs: 10 * 60 * 1000,
  consentTtlMs: 10 * 60 * 1000,
  accessTokenTtlMs: 60 * 60 * 1000,
  refreshTokenTtlMs: 30 * 24 * 60 * 60 * 1000,
  clientUnusedTtlMs: 24 * 60 * 60 * 1000,
  clientIdleTtlMs: 90 * 24 * 60 * 60 * 1000,
};

/**
 * Deps of everything that issues codes and tokens (also what completeAuthorization needs); it
 * never calls Airtable's Web API, so no `airtableSend`.
 */
export type OAuthCoreDeps = Omit<AppDeps, 'airtableSend'> & {
  oauthStore: OAuthServerStore;
  /** Overrides for tests; production uses DEFAULT_TIMINGS. */
  oauthTimings?: Partial<OAuthTimings>;
};

export type OAuthServerDeps = OAuthCoreDeps & { airtableSignIn: AirtableSignInPort };

export function timings(deps: Pick<OAuthCoreDeps, 'oauthTimings'>): OAuthTimings {
  return { ...DEFAULT_TIMINGS, ...deps.oauthTimings };
}

/** keyedHash purposes: a secret hashed for one use never matches a lookup for another. */
export const HASH_PURPOSE = {
  clientSecret: 'oauth-client-secret',
  code: 'oauth-code',
  refreshToken: 'oauth-refresh-token',
  consent: 'oauth-consent',
  consentForm: 'oauth-consent-form',
} as const;

/** The `platform` our access tokens and Airtable sign-ins carry. */
export const MCP_OAUTH_PLATFORM = 'mcp-oauth';
