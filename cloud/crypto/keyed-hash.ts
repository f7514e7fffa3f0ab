/**
 * Secrets we only ever compare (session ids, OAuth state, authorization codes, refresh tokens) are
 * stored as keyed hashes, never as themselves: a leaked table then yields nothing usable, and the
 * key (SECRET_KEY) stops offline guessing. Same idea as cloudflare/workers-oauth-provider storing
 * only hashes of its tokens; the HMAC key is our addition.
 */
import {
  createHmac,
  createSecretKey,
  randomBytes,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';

/**
 * HMAC-SHA256(secretKey, `${purpose}\0${value}`) in hex. The purpose ('session', 'oauth-code', ...)
 * separates domains: a value hashed for one purpose never matches a lookup for another.
 */
export function keyedHash(secretKey: string, purpose: string, value: string): string {
  if (secretKey.length === 0) throw new RangeError('keyedHash needs a non-empty secret key');
  // A NUL inside the purpose would make `a\0b` + `c` and `a` + `b\0c` hash alike.
  if (purpose.length === 0 || purpose.includes('\0')) {
    throw new RangeError('keyedHash purpose must be non-empty and must not contain NUL');
  }
  return createHmac('sha256', hmacKey(secretKey))
    .update(`${purpose}\0${value}`, 'utf8')
    .digest('hex');
}

/** SECRET_KEY imported once (a process has one; tests a few): every /mcp request hashes with it. */
let lastKey: { secret: string; key: KeyObject } | undefined;

function hmacKey(secretKey: string): KeyObject {
  if (lastKey?.secret !== secretKey)
    lastKey = { secret: secretKey, key: createSecretKey(Buffer.from(secretKey, 'utf8')) };
  return lastKey.key;
}

/**
 * `bytes` random bytes as unpadded base64url (43 characters for the default 32 bytes), which also
 * fits OAuth `state` and PKCE verifier rules (RFC 7636 section 4.1: [A-Za-z0-9._~-]).
 */
export function randomSecret(bytes = 32): string {
  // Fewer than 128 bits is guessable enough to matter for a bearer secret.
  if (!Number.isSafeInteger(bytes) || bytes < 16 || bytes > 1024) {
    throw new RangeError('randomSecret needs an integer number of bytes between 16 and 1024');
  }
  return randomBytes(bytes).toString('base64url');
}

/**
 * Compares two strings without leaking where they differ. Different lengths return false at once:
 * callers compare fixed-length hashes, so the length is no secret.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}
