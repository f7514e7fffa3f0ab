/**
 * What the authorization server keeps between requests, behind one small interface with a Parse
 * implementation (parse-store.ts, the store of record) and a memory one (memory-store.ts, unit
 * tests). The store is deliberately dumb: callers pass keyed hashes (cloud/crypto/keyed-hash.ts),
 * never the secrets themselves, and every read treats an expired record as absent.
 *
 * Classes (docs: cloud/oauth-server/README.md): OAuthClient, OAuthConsent, OAuthCode, OAuthGrant,
 * OAuthRefreshToken.
 */

import type { PendingAuthorization } from '../../storage/base';

export type TokenEndpointAuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post';

/** Registered metadata (RFC 7591 section 2) as we accepted and normalised it. */
export interface ClientMetadata {
  redirect_uris: string[];
  token_endpoint_auth_method: TokenEndpointAuthMethod;
  grant_types: string[];
  response_types: string[];
  client_name?: string;
  client_uri?: string;
  logo_uri?: string;
  scope?: string;
  contacts?: string[];
  tos_uri?: string;
  policy_uri?: string;
  software_id?: string;
  software_version?: string;
}

export interface ClientRecord {
  clientId: string;
  metadata: ClientMetadata;
  /** keyedHash(secretKey, 'oauth-client-secret', secret) for confidential clients. */
  secretHash?: string;
  issuedAt: Date;
  /** Unused clients expire (sliding window, see CLIENT_IDLE_TTL_MS). */
  expiresAt: Date;
}

/**
 * An authorization request the person has not answered yet (consent page shown). Approved, the
 * same fields are parked with the Airtable sign-in as its PendingAuthorization.
 */
export type ConsentRequest = PendingAuthorization;

/** The Airtable connection a consent page said approving would use (a signed-in browser). */
export interface ShownAccount {
  userId: string;
  /** Absent for a legacy credential (CredentialRef). */
  credentialId?: string;
}

export interface ConsentRecord {
  request: ConsentRequest;
  /** keyedHash of the browser-binding cookie the consent form was issued to. */
  browserHash: string;
  /** What the page named; approving with another account than this one is refused. */
  account?: ShownAccount;
}

/** What an authorization code stands for (RFC 6749 section 4.1.2: bound to all of this). */
export interface CodeData {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  resource: string;
  scopes: string[];
  userId: string;
  grantId: string;
}

/** One grant family: everything issued from one authorization code. */
export interface GrantRecord {
  grantId: string;
  userId: string;
  /** The stored Airtable credential every token of this grant uses (absent: legacy row). */
  credentialId?: string;
  clientId: string;
  scopes: string[];
  resource: string;
  revoked: boolean;
  createdAt: Date;
  expiresAt: Date;
}

export interface RefreshTokenData {
  grantId: string;
  clientId: string;
}

/** Result of claiming a single-use secret: `uses` is 1 for the first claim, more for replays. */
export interface Claimed<T> {
  data: T;
  uses: number;
  expiresAt: Date;
  /** When the first claim happened (refresh tokens; undefined while it is being recorded). */
  firstUsedAt?: Date;
}

export interface OAuthServerStore {
  // Clients (RFC 7591): one row per registration.
  createClient(record: ClientRecord): Promise<void>;
  getClient(clientId: string): Promise<ClientRecord | null>;
  /** Moves the idle expiry forward (never backward). */
  touchClient(clientId: string, expiresAt: Date): Promise<void>;
  deleteClient(clientId: string): Promise<void>;

  // Consent forms: single use, a few minutes.
  createConsent(idHash: string, record: ConsentRecord, expiresAt: Date): Promise<void>;
  /** Returns the record and deletes it; of two concurrent consumes exactly one gets it. */
  consumeConsent(idHash: string): Promise<ConsentRecord | null>;

  // Authorization codes: kept (marked used) until expiry so a replay can be recognised.
  createCode(codeHash: string, data: CodeData, expiresAt: Date): Promise<void>;
  /** Atomically counts one more use; null when unknown or expired. */
  claimCode(codeHash: string): Promise<Claimed<CodeData> | null>;

  // Grant families.
  createGrant(record: GrantRecord): Promise<void>;
  getGrant(grantId: string): Promise<GrantRecord | null>;
  extendGrant(grantId: string, expiresAt: Date): Promise<void>;
  /** Marks the grant revoked and deletes its refresh tokens (access tokens: Storage). */
  revokeGrant(grantId: string): Promise<void>;
  /** Revokes every grant of one user ("sign out everywhere"); returns their ids. */
  revokeUserGrants(userId: string): Promise<string[]>;
  /** Whether a live, unrevoked grant uses this credential (absent id: the user's legacy one). */
  credentialHasLiveGrants(userId: string, credentialId: string | undefined): Promise<boolean>;

  // Refresh tokens: rotated; a used one is kept until expiry to detect reuse.
  createRefreshToken(tokenHash: string, data: RefreshTokenData, expiresAt: Date): Promise<void>;
  claimRefreshToken(tokenHash: string): Promise<Claimed<RefreshTokenData> | null>;
  /** Reads without claiming (revocation). */
  findRefreshToken(tokenHash: string): Promise<RefreshTokenData | null>;
}
