/**
 * The seed's sign-in flows: Airtable OAuth 2.0 with PKCE (start + callback) and the personal
 * access token path, each ending in a stored, encrypted credential of its own (one UserToken row
 * per sign-in, so every connection keeps the credential it was made with) and a new session.
 */
import { AirtableOAuthClient, fetchWhoami, type AirtableWhoami } from '../airtable/oauth-client';
import { randomSecret } from '../crypto/keyed-hash';
import type { AppDeps } from '../deps';
import { oauthCredential } from './credential';
import type {
  CredentialRef,
  OAuthStateData,
  PendingAuthorization,
  SessionRecord,
} from '../storage/base';
import { hashBinding } from './browser-binding';

export const STATE_TTL_MS = 15 * 60 * 1000; // seed: OAuthState lives 15 minutes
export const KNOWN_PLATFORMS = [
  'chatgpt',
  'claude',
  'cursor',
  'inspector',
  'vscode',
  'mcp-oauth',
  'smoke',
  'other',
];

/** Normalises ?platform=: known names, or 'other'; undefined when malformed. */
export function parsePlatform(raw: unknown): string | undefined {
  if (raw === undefined || raw === '') return 'other';
  if (typeof raw !== 'string' || !/^[A-Za-z0-9_-]{1,32}$/.test(raw)) return undefined;
  const p = raw.toLowerCase();
  return KNOWN_PLATFORMS.includes(p) ? p : 'other';
}

const oauthClients = new WeakMap<AppDeps, AirtableOAuthClient>();

/** The Airtable OAuth client for these deps (built once; the configuration never changes). */
export function airtableOAuthClient(deps: AppDeps): AirtableOAuthClient | undefined {
  const a = deps.config.airtable;
  if (!a.clientId) return undefined;
  let client = oauthClients.get(deps);
  if (!client) {
    client = new AirtableOAuthClient({
      clientId: a.clientId,
      clientSecret: a.clientSecret,
      redirectUri: a.redirectUri,
      scopes: a.scopes,
      oauthBaseUrl: a.oauthBaseUrl,
      apiBaseUrl: a.apiBaseUrl,
      fetch: deps.fetch,
      timeoutMs: a.oauthTimeoutMs,
    });
    oauthClients.set(deps, client);
  }
  return client;
}

export interface StartSignInOptions {
  platform: string;
  pendingAuthorization?: PendingAuthorization;
  /** The browser-binding value of the browser that starts it (cloud/auth/browser-binding.ts). */
  browser: string;
}

/**
 * Creates the OAuthState (random 256-bit state, encrypted PKCE verifier, hash of the starting
 * browser's binding) and returns Airtable's URL.
 */
export async function startAirtableSignIn(
  deps: AppDeps,
  client: AirtableOAuthClient,
  opts: StartSignInOptions,
): Promise<string> {
  const state = randomSecret(32);
  const codeVerifier = AirtableOAuthClient.newCodeVerifier();
  const data: OAuthStateData = {
    codeVerifier,
    platform: opts.platform,
    browserHash: hashBinding(deps.config.secretKey, opts.browser),
  };
  if (opts.pendingAuthorization) data.pendingAuthorization = opts.pendingAuthorization;
  await deps.storage.createState(state, data, STATE_TTL_MS);
  return client.authorizeUrl(state, codeVerifier);
}

export interface SignedIn {
  userId: string;
  /** The credential this sign-in stored (every connection made from it keeps it). */
  credential: Required<CredentialRef>;
  whoami: AirtableWhoami;
  platform: string;
  pendingAuthorization: PendingAuthorization | undefined;
}

/** Stores the OAuth token set as a new credential of the Airtable user it belongs to. */
export async function completeAirtableSignIn(
  deps: AppDeps,
  client: AirtableOAuthClient,
  code: string,
  stateData: OAuthStateData,
): Promise<SignedIn> {
  const tokens = await client.exchangeCode(code, stateData.codeVerifier);
  const whoami = await client.whoami(tokens.accessToken);
  const credentialId = await deps.storage.createUserToken(
    whoami.id,
    oauthCredential(tokens, whoami.email),
    tokens.refreshExpiresAt,
  );
  return {
    userId: whoami.id,
    credential: { userId: whoami.id, credentialId },
    whoami,
    platform: stateData.platform,
    pendingAuthorization: stateData.pendingAuthorization,
  };
}

/**
 * Validates a personal access token against whoami before storing anything, then stores it as a
 * new credential (it lives as long as what uses it: the session made next, or a grant).
 */
export async function signInWithPat(
  deps: AppDeps,
  apiKey: string,
): Promise<{ whoami: AirtableWhoami; credential: Required<CredentialRef> }> {
  const whoami = await fetchWhoami(
    {
      apiBaseUrl: deps.config.airtable.apiBaseUrl,
      fetch: deps.fetch,
      timeoutMs: deps.config.airtable.oauthTimeoutMs,
    },
    apiKey,
  );
  const sessionExpiry = new Date(deps.now().getTime() + sessionTtlMs(deps));
  const credentialId = await deps.storage.createUserToken(
    whoami.id,
    {
      kind: 'pat',
      accessToken: apiKey,
      scope: '',
      ...(whoami.email ? { email: whoami.email } : {}),
    },
    sessionExpiry,
  );
  return { whoami, credential: { userId: whoami.id, credentialId } };
}

export function sessionTtlMs(deps: AppDeps): number {
  return deps.config.sessionTtlDays * 24 * 60 * 60 * 1000;
}

/** A seed session (30 days) on one credential; a PAT's stored expiry follows what uses it. */
export async function createUserSession(
  deps: AppDeps,
  credential: Required<CredentialRef>,
  platform: string,
): Promise<{ secret: string; record: SessionRecord }> {
  const created = await deps.storage.createSession(
    credential.userId,
    { platform, kind: 'session', credentialId: credential.credentialId },
    sessionTtlMs(deps),
  );
  await deps.storage.extendUserTokenExpiry(credential, created.record.expiresAt);
  return created;
}
