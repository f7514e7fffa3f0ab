/**
 * Fernet (github.com/fernet/spec, Spec.md), compatible with Python's `cryptography.fernet`, on
 * node:crypto alone. We use it for values we must read back (Airtable tokens, PKCE verifiers).
 *
 * Token = base64url(Version 0x80 ‖ Timestamp (u64 BE, seconds) ‖ IV (16) ‖ AES-128-CBC/PKCS7
 * ciphertext ‖ HMAC-SHA256 over everything before it). Key = base64url(signing key (16) ‖
 * encryption key (16)).
 *
 * Every problem with a token throws the same FernetError('Invalid Fernet token'), like Python's
 * bare `InvalidToken`: telling a caller which check failed (or echoing the token or key) only
 * helps an attacker.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

export class FernetError extends Error {
  override name = 'FernetError';
}

const INVALID_TOKEN = 'Invalid Fernet token';
const VERSION = 0x80;
const HEADER_LENGTH = 1 + 8 + 16; // version ‖ timestamp ‖ IV
const HMAC_LENGTH = 32;
const BLOCK = 16;
/** A ciphertext is at least one block: PKCS7 always adds 1-16 bytes (RFC 5652 section 6.3). */
const MIN_TOKEN_LENGTH = HEADER_LENGTH + BLOCK + HMAC_LENGTH;
/** Python's `cryptography.fernet._MAX_CLOCK_SKEW`, applied (as there) only when a TTL is given. */
const MAX_CLOCK_SKEW_SECONDS = 60n;

/** Unpadded base64url, optionally followed by the `=` padding Python's urlsafe_b64encode adds. */
const BASE64URL = /^([A-Za-z0-9_-]*)(={0,2})$/;

/**
 * Strict URL-safe base64 decoding: the RFC 4648 section 5 alphabet and padding either absent or
 * exactly right (Buffer.from(_, 'base64url') alone skips invalid characters silently). With
 * `canonical`, the unused trailing bits must be zero, so that changing any character of a token
 * changes its bytes; keys skip that check because Python accepts such keys (and config.ts does).
 */
function decodeBase64Url(text: string, canonical: boolean): Buffer | undefined {
  const match = BASE64URL.exec(text);
  if (!match) return undefined;
  const body = match[1] ?? '';
  const padding = match[2] ?? '';
  if (body.length % 4 === 1) return undefined;
  if (padding.length > 0 && (body.length + padding.length) % 4 !== 0) return undefined;
  const bytes = Buffer.from(body, 'base64url');
  if (canonical && bytes.toString('base64url') !== body) return undefined;
  return bytes;
}

function encodeBase64UrlPadded(bytes: Buffer): string {
  // Python's base64.urlsafe_b64encode keeps the '=' padding; so do we, for identical tokens.
  return bytes.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

interface FernetKey {
  signing: Buffer;
  encryption: Buffer;
}

function parseKey(key: unknown, what: string): FernetKey {
  const bytes = typeof key === 'string' ? decodeBase64Url(key, false) : undefined;
  if (!bytes || bytes.length !== 32) {
    // Never echo the key: it is a secret even when malformed.
    throw new FernetError(`${what} is not a valid Fernet key (32 bytes, URL-safe base64)`);
  }
  return { signing: bytes.subarray(0, 16), encryption: bytes.subarray(16) };
}

function parseKeys(keys: string | readonly string[]): FernetKey[] {
  const list = typeof keys === 'string' ? [keys] : keys;
  if (!Array.isArray(list) || list.length === 0) {
    throw new FernetError('At least one Fernet key is required');
  }
  return list.map((k, i) => parseKey(k, list.length === 1 ? 'The key' : `Key #${i + 1}`));
}

function hmac(signingKey: Buffer, data: Buffer): Buffer {
  return createHmac('sha256', signingKey).update(data).digest();
}

function toUnixSeconds(now: Date): bigint {
  const ms = now.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('now must be a valid Date');
  return BigInt(Math.floor(ms / 1000));
}

/** A lone UTF-16 surrogate cannot be encoded as UTF-8; Buffer.from would silently turn it into U+FFFD. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function generateKey(): string {
  return encodeBase64UrlPadded(randomBytes(32));
}

/** Encrypts the UTF-8 bytes of `plaintext`. `now` and `iv` exist for test vectors; leave them unset. */
export function encrypt(
  plaintext: string,
  key: string,
  options: { now?: Date; iv?: Uint8Array } = {},
): string {
  if (typeof plaintext !== 'string') throw new TypeError('plaintext must be a string');
  if (LONE_SURROGATE.test(plaintext)) {
    throw new TypeError('plaintext is not well-formed Unicode (it holds a lone surrogate)');
  }
  const { signing, encryption } = parseKey(key, 'The key');
  const timestamp = toUnixSeconds(options.now ?? new Date());
  if (timestamp < 0n) throw new RangeError('now must not be before 1970-01-01');
  const iv = options.iv === undefined ? randomBytes(BLOCK) : Buffer.from(options.iv);
  if (iv.length !== BLOCK) throw new RangeError('iv must be 16 bytes');

  const header = Buffer.alloc(HEADER_LENGTH);
  header.writeUInt8(VERSION, 0);
  header.writeBigUInt64BE(timestamp, 1);
  iv.copy(header, 9);
  // Node's default auto-padding is PKCS7, as the spec requires.
  const cipher = createCipheriv('aes-128-cbc', encryption, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const signed = Buffer.concat([header, ciphertext]);
  return encodeBase64UrlPadded(Buffer.concat([signed, hmac(signing, signed)]));
}

export interface DecryptOptions {
  /** Maximum age in seconds; also enables the future-timestamp check, as in Python. */
  ttlSeconds?: number;
  now?: Date;
}

/** Decrypts with the first key that authenticates the token, and says which one it was. */
export function decryptWithKeyIndex(
  token: string,
  keys: string | readonly string[],
  options: DecryptOptions = {},
): { plaintext: string; keyIndex: number } {
  const parsedKeys = parseKeys(keys);
  const { ttlSeconds } = options;
  if (ttlSeconds !== undefined && !(Number.isSafeInteger(ttlSeconds) && ttlSeconds >= 0)) {
    throw new RangeError('ttlSeconds must be a non-negative integer');
  }
  const now = toUnixSeconds(options.now ?? new Date());

  const data = typeof token === 'string' ? decodeBase64Url(token, true) : undefined;
  if (
    !data ||
    data.length < MIN_TOKEN_LENGTH ||
    (data.length - HEADER_LENGTH - HMAC_LENGTH) % BLOCK !== 0 ||
    data[0] !== VERSION
  ) {
    throw new FernetError(INVALID_TOKEN);
  }
  const signed = data.subarray(0, data.length - HMAC_LENGTH);
  const mac = data.subarray(data.length - HMAC_LENGTH);

  for (const [keyIndex, key] of parsedKeys.entries()) {
    if (!timingSafeEqual(hmac(key.signing, signed), mac)) continue;
    // Authentic under this key: any further failure is final, other keys would not help.
    if (ttlSeconds !== undefined) {
      const timestamp = data.readBigUInt64BE(1);
      // Same comparisons as Python's Fernet._decrypt_data.
      if (timestamp + BigInt(ttlSeconds) < now || now + MAX_CLOCK_SKEW_SECONDS < timestamp) {
        throw new FernetError(INVALID_TOKEN);
      }
    }
    let plaintext: Buffer;
    try {
      const decipher = createDecipheriv(
        'aes-128-cbc',
        key.encryption,
        data.subarray(9, HEADER_LENGTH),
      );
      plaintext = Buffer.concat([
        decipher.update(signed.subarray(HEADER_LENGTH)),
        decipher.final(),
      ]);
    } catch {
      throw new FernetError(INVALID_TOKEN); // bad PKCS7 padding
    }
    try {
      return { plaintext: new TextDecoder('utf-8', { fatal: true }).decode(plaintext), keyIndex };
    } catch {
      // Only possible for tokens made elsewhere (e.g. Python) from bytes that are not text.
      throw new FernetError('Fernet token plaintext is not valid UTF-8 text');
    }
  }
  throw new FernetError(INVALID_TOKEN);
}

export function decrypt(
  token: string,
  keys: string | readonly string[],
  options: DecryptOptions = {},
): string {
  return decryptWithKeyIndex(token, keys, options).plaintext;
}
