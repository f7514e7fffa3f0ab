/**
 * The seed's sign-in flows: Airtable OAuth 2.0 with PKCE (start + callback) and the personal
 * access token path, each ending in a stored, encrypted credential (one UserToken row per Airtable
 * user) and a new session.
 */
import { AirtableOAuthClient, fetchWhoami, type AirtableWhoami } from '../airtable/oauth-client';
import { randomSecret } from '../crypto/keyed-hash';
import type { AppDeps } from '../deps';
import { oauthCredential } from './credential';
import type { OAuthStateData, PendingAuthorization, SessionRecord } from '../storage/base';

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

/** Creates the OAuthState (random 256-bit state, encrypted PKCE verifier) and returns Airtable's URL. */
export async function startAirtableSignIn(
  deps: AppDeps,
  client: AirtableOAuthClient,
  opts: { platform: string; pendingAuthorization?: PendingAuthorization },
): Promise<string> {
  const state = randomSecret(32);
  const codeVerifier = AirtableOAuthClient.newCodeVerifier();
  const data: OAuthStateData = { codeVerifier, platform: opts.platform };
  if (opts.pendingAuthorization) data.pendingAuthorization = opts.pendingAuthorization;
  await deps.storage.createState(state, data, STATE_TTL_MS);
  return client.authorizeUrl(state, codeVerifier);
}

export interface SignedIn {
  userId: string;
  whoami: AirtableWhoami;
  platform: string;
  pendingAuthorization: PendingAuthorization | undefined;
}

/** Stores an OAuth token set for the Airtable user it belongs to. */
export async function completeAirtableSignIn(
  deps: AppDeps,
  client: AirtableOAuthClient,
  code: string,
  stateData: OAuthStateData,
): Promise<SignedIn> {
  const tokens = await client.exchangeCode(code, stateData.codeVerifier);
  const whoami = await client.whoami(tokens.accessToken);
  await deps.storage.upsertUserToken(whoami.id, oauthCredential(tokens), tokens.refreshExpiresAt);
  return {
    userId: whoami.id,
    whoami,
    platform: stateData.platform,
    pendingAuthorization: stateData.pendingAuthorization,
  };
}

/** Validates a personal access token against whoami before storing anything. */
export async function signInWithPat(deps: AppDeps, apiKey: string): Promise<AirtableWhoami> {
  const whoami = await fetchWhoami(
    {
      apiBaseUrl: deps.config.airtable.apiBaseUrl,
      fetch: deps.fetch,
      timeoutMs: deps.config.airtable.oauthTimeoutMs,
    },
    apiKey,
  );
  const sessionExpiry = new Date(deps.now().getTime() + sessionTtlMs(deps));
  await deps.storage.upsertUserToken(
    whoami.id,
    { kind: 'pat', accessToken: apiKey, scope: '' },
    sessionExpiry,
  );
  return whoami;
}

export function sessionTtlMs(deps: AppDeps): number {
  return deps.config.sessionTtlDays * 24 * 60 * 60 * 1000;
}

/** A seed session (30 days); a PAT's stored expiry follows its last session. */
export async function createUserSession(
  deps: AppDeps,
  userId: string,
  platform: string,
): Promise<{ secret: string; record: SessionRecord }> {
  const created = await deps.storage.createSession(
    userId,
    { platform, kind: 'session' },
    sessionTtlMs(deps),
  );
  await deps.storage.extendUserTokenExpiry(userId, created.record.expiresAt);
  return created;
}
