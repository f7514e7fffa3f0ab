/**
 * The storage interface (the seed's `base`): everything the server keeps between requests.
 * Implementations: Parse classes (`STORAGE_BACKEND=back4app`, the store of record), memory (unit
 * tests), and a Redis-cached Parse store (`redis`). Secrets that are only compared (OAuth state,
 * session ids) are stored as keyed hashes; Airtable credentials and PKCE verifiers are stored
 * Fernet-encrypted. Every read treats an expired record as absent (lazy expiry).
 */

/** What a pending Airtable authorization remembers (OAuthState.data); the verifier is encrypted at rest. */
export interface OAuthStateData {
  /** PKCE code_verifier sent to Airtable's token endpoint (RFC 7636). */
  codeVerifier: string;
  /** chatgpt | claude | cursor | inspector | other - chosen on /auth/authorize. */
  platform: string;
  /** Set when this Airtable sign-in was started by our own OAuth server's /authorize (MCP clients). */
  pendingAuthorization?: PendingAuthorization;
  /**
   * keyedHash of the browser-binding cookie of the browser that started the sign-in
   * (cloud/auth/browser-binding.ts): the callback completes only in that browser.
   */
  browserHash?: string;
}

/**
 * An MCP client's approved authorization request, parked while the person signs in to Airtable;
 * the Airtable callback turns it into our authorization code (cloud/oauth-server).
 */
export interface PendingAuthorization {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  /** The client's own `state`, echoed back verbatim. */
  state?: string;
  /** RFC 8707 resource (our MCP URL). */
  resource: string;
  scopes: string[];
}

/**
 * One stored Airtable credential (one sign-in), encrypted as one Fernet token in UserToken.tokens.
 * Every connection keeps the credential it was created with: a PAT session its PAT, an OAuth
 * session or grant its own Airtable grant, even when the same Airtable user has several.
 */
export interface AirtableCredential {
  kind: 'oauth' | 'pat';
  accessToken: string;
  /** OAuth only. */
  refreshToken?: string;
  /** ISO time the access token expires (OAuth only). */
  accessExpiresAt?: string;
  /** ISO time the refresh token expires (OAuth only). */
  refreshExpiresAt?: string;
  /** Space-separated scopes Airtable granted (OAuth); empty for PATs. */
  scope: string;
  /** The account's email from whoami, when Airtable told us (scope user.email:read). */
  email?: string;
}

/** An OAuth access token expiring within this is refreshed before use (cloud/auth/airtable-grant.ts). */
export const REFRESH_MARGIN_MS = 60_000;

/**
 * Which stored credential a connection uses. Connections made since per-connection credentials
 * carry the UserToken row's id; older ones (sessions and grants written before) carry none and
 * use their user's legacy row, the one row per user of the earlier layout (docs/storage-schema.md).
 */
export interface CredentialRef {
  userId: string;
  credentialId?: string | undefined;
}

/**
 * A stable key for one credential (caches, single-flight maps). It names the user too: a
 * reference only ever reaches a row of its own user (the stores check user_id), and so must a
 * cache entry.
 */
export function credentialKey(ref: CredentialRef): string {
  return `${ref.userId}:${ref.credentialId ?? 'legacy'}`;
}

export interface UserTokenRecord {
  userId: string;
  /** The UserToken row's id (also for a legacy row). */
  credentialId: string;
  credential: AirtableCredential;
  /** 'dead' once Airtable refused the refresh token (invalid_grant): the user must reconnect. */
  status: 'active' | 'dead';
  /** When the stored credential stops being usable (refresh expiry for OAuth, last session for a PAT). */
  expiresAt: Date;
  /** Monotonic counter used for the cross-process refresh claim. */
  refreshClaim: number;
  refreshClaimAt: Date | undefined;
  updatedAt: Date;
}

export interface SessionData {
  platform: string;
  /** 'session': the seed's session id; 'mcp_access': an access token from our OAuth server. */
  kind: 'session' | 'mcp_access';
  /** OAuth server only: the client it was issued to, its scopes and resource (audience). */
  clientId?: string;
  scopes?: string[];
  resource?: string;
  /** OAuth server only: grant family, so a replayed code or refresh token revokes everything issued. */
  grantId?: string;
  /** The stored Airtable credential this connection uses (absent: the user's legacy row). */
  credentialId?: string;
}

export interface SessionRecord {
  /** Opaque handle (Parse objectId) for listing and revoking; never the secret. */
  id: string;
  userId: string;
  data: SessionData;
  createdAt: Date;
  expiresAt: Date;
}

/** Thrown when a stored credential cannot be decrypted with any configured key: "please reconnect". */
export class CredentialUnreadableError extends Error {
  constructor(readonly userId: string) {
    super(
      'The stored Airtable credential cannot be read with the configured keys; please reconnect.',
    );
    this.name = 'CredentialUnreadableError';
  }
}

/** Thrown when the store itself is unreachable (database down): callers answer 503. */
export class StorageUnavailableError extends Error {
  constructor(message = 'The database is unavailable; try again shortly.') {
    super(message);
    this.name = 'StorageUnavailableError';
  }
}

export interface Storage {
  // OAuthState: 15 minutes, consumed exactly once (two concurrent consumes: one wins).
  createState(state: string, data: OAuthStateData, ttlMs: number): Promise<void>;
  consumeState(state: string): Promise<OAuthStateData | null>;

  // UserToken: one row per sign-in (connection); older rows: one per user (CredentialRef).
  /** Stores a new credential for `userId` and returns its id (CredentialRef.credentialId). */
  createUserToken(userId: string, credential: AirtableCredential, expiresAt: Date): Promise<string>;
  /** `fresh`: bypass any cache (the refresh path must see what another process stored). */
  getUserToken(ref: CredentialRef, opts?: { fresh?: boolean }): Promise<UserTokenRecord | null>;
  /** Replaces the credential (after a refresh); a missing row stays missing. */
  updateUserToken(
    ref: CredentialRef,
    credential: AirtableCredential,
    expiresAt: Date,
  ): Promise<void>;
  deleteUserToken(ref: CredentialRef): Promise<void>;
  /** Deletes every credential of one Airtable user ("sign out everywhere"); returns how many. */
  deleteUserTokens(userId: string): Promise<number>;
  markUserTokenDead(ref: CredentialRef): Promise<void>;
  /** Moves expires_at forward (never backward): a PAT lives as long as what uses it. */
  extendUserTokenExpiry(ref: CredentialRef, until: Date): Promise<void>;
  /**
   * Cross-process single-flight refresh: true for exactly one caller among those that saw
   * `seenClaim` while no fresh claim (younger than leaseMs) existed.
   */
  claimRefresh(ref: CredentialRef, seenClaim: number, leaseMs: number): Promise<boolean>;
  /** Whether a live session (other than the one with objectId `exceptSessionId`) uses it. */
  credentialHasLiveSessions(ref: CredentialRef, exceptSessionId?: string): Promise<boolean>;

  // UserSession: the secret is returned once by createSession and stored only as a keyed hash.
  createSession(
    userId: string,
    data: SessionData,
    ttlMs: number,
  ): Promise<{ secret: string; record: SessionRecord }>;
  findSession(secret: string): Promise<SessionRecord | null>;
  revokeSession(secret: string): Promise<boolean>;
  revokeSessionById(id: string): Promise<boolean>;
  revokeUserSessions(userId: string): Promise<number>;
  /** Revokes every session of one OAuth grant family (replayed code or refresh token). */
  revokeGrantSessions(grantId: string): Promise<number>;
  listUserSessions(userId: string): Promise<SessionRecord[]>;
}
