/**
 * PKCE as Airtable enforces it (airtable.com/developers/web/api/oauth-reference, RFC 7636):
 * S256 only; the challenge is BASE64URL(SHA256(verifier)).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Airtable's reference: the verifier is 43-128 characters of A-Z a-z 0-9 "." "-" "_". RFC 7636
 * also allows "~"; Airtable's list does not, so the fake refuses it (docs/platform-facts.md).
 */
export const CODE_VERIFIER_PATTERN = /^[A-Za-z0-9._-]{43,128}$/;
/** The challenge is a base64url SHA-256 (43 chars); longer well-formed values are tolerated. */
export const CODE_CHALLENGE_PATTERN = /^[A-Za-z0-9._~-]{43,128}$/;
/** Airtable: state is 16-1024 characters of A-Z a-z 0-9 "." "-" "_". */
export const STATE_PATTERN = /^[A-Za-z0-9._-]{16,1024}$/;

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function verifierMatches(verifier: string, challenge: string): boolean {
  return constantTimeEqual(s256(verifier), challenge);
}
