/**
 * How records look at rest, shared by every backend, the triggers and the key-rotation job, so
 * that "what is hashed, what is encrypted" is decided in one place (docs/storage-schema.md).
 *
 * - OAuthState.state, UserSession.session_id: keyedHash(SECRET_KEY, purpose, secret) - 64 hex.
 * - OAuthState.data: JSON of OAuthStateData with `codeVerifier` replaced by
 *   `encryptedCodeVerifier` (Fernet, first ENCRYPTION_KEY).
 * - UserToken.tokens: Fernet (first ENCRYPTION_KEY) of the JSON AirtableCredential.
 */
import { z } from 'zod';
import { decryptWithKeyIndex, encrypt, FernetError } from '../crypto/fernet';
import { keyedHash } from '../crypto/keyed-hash';
import type { AirtableCredential, OAuthStateData, SessionData } from './base';

export const CLASSES = {
  state: 'OAuthState',
  token: 'UserToken',
  session: 'UserSession',
} as const;

/** Domain separation for keyedHash: a state can never be replayed as a session id. */
export const HASH_PURPOSE = { state: 'oauth-state', session: 'session' } as const;

/** Parse objectIds (UserToken rows are credential ids): never spliced into a path unchecked. */
export const OBJECT_ID_PATTERN = /^[A-Za-z0-9]{1,64}$/;

/** A keyedHash output (HMAC-SHA256 hex); the triggers refuse anything else in hashed columns. */
export const HASH_PATTERN = /^[0-9a-f]{64}$/;

export function hashState(secretKey: string, state: string): string {
  return keyedHash(secretKey, HASH_PURPOSE.state, state);
}

export function hashSession(secretKey: string, secret: string): string {
  return keyedHash(secretKey, HASH_PURPOSE.session, secret);
}

/** The stored form of OAuthState.data. Unknown keys pass through (base.ts may grow). */
const StoredStateDataSchema = z
  .object({ encryptedCodeVerifier: z.string().min(1), platform: z.string() })
  .passthrough();

export function encodeStateData(data: OAuthStateData, key: string): string {
  const { codeVerifier, ...rest } = data;
  return JSON.stringify({ ...rest, encryptedCodeVerifier: encrypt(codeVerifier, key) });
}

/** Parses OAuthState.data without decrypting (triggers, rotation); undefined when malformed. */
export function parseStoredStateData(
  raw: unknown,
): (z.infer<typeof StoredStateDataSchema> & Record<string, unknown>) | undefined {
  if (typeof raw !== 'string') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const parsed = StoredStateDataSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/** Decodes OAuthState.data; undefined when malformed or encrypted under no configured key. */
export function decodeStateData(raw: unknown, keys: readonly string[]): OAuthStateData | undefined {
  const stored = parseStoredStateData(raw);
  if (!stored) return undefined;
  const { encryptedCodeVerifier, ...rest } = stored;
  const codeVerifier = tryDecrypt(encryptedCodeVerifier, keys)?.plaintext;
  if (codeVerifier === undefined) return undefined;
  // The non-secret fields were written by encodeStateData from an OAuthStateData.
  return { ...(rest as Omit<OAuthStateData, 'codeVerifier'>), codeVerifier };
}

const CredentialSchema = z.object({
  kind: z.enum(['oauth', 'pat']),
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
  accessExpiresAt: z.string().optional(),
  refreshExpiresAt: z.string().optional(),
  scope: z.string(),
  email: z.string().max(320).optional(),
});

export function encryptCredential(credential: AirtableCredential, key: string): string {
  return encrypt(JSON.stringify(credential), key);
}

/** Decrypts UserToken.tokens with any configured key; undefined when unreadable or malformed. */
export function decryptCredential(
  token: unknown,
  keys: readonly string[],
): AirtableCredential | undefined {
  const opened = tryDecrypt(token, keys);
  if (!opened) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(opened.plaintext);
  } catch {
    return undefined;
  }
  const parsed = CredentialSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/** Fernet decryption with every configured key; undefined instead of FernetError. */
export function tryDecrypt(
  token: unknown,
  keys: readonly string[],
): { plaintext: string; keyIndex: number } | undefined {
  if (typeof token !== 'string' || keys.length === 0) return undefined;
  try {
    return decryptWithKeyIndex(token, keys);
  } catch (err) {
    if (err instanceof FernetError) return undefined;
    throw err;
  }
}

const SessionDataSchema = z
  .object({
    platform: z.string(),
    kind: z.enum(['session', 'mcp_access']),
    clientId: z.string().optional(),
    scopes: z.array(z.string()).optional(),
    resource: z.string().optional(),
    grantId: z.string().optional(),
    credentialId: z.string().optional(),
  })
  .passthrough();

export function encodeSessionData(data: SessionData): string {
  return JSON.stringify(data);
}

export function decodeSessionData(raw: unknown): SessionData | undefined {
  if (typeof raw !== 'string') return undefined;
  try {
    const parsed = SessionDataSchema.safeParse(JSON.parse(raw));
    return parsed.success ? (parsed.data as SessionData) : undefined;
  } catch {
    return undefined;
  }
}
