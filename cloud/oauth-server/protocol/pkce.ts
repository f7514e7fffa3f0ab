/** PKCE (RFC 7636) with S256 only (OAuth 2.1 section 4.1.1; MCP clients refuse servers without it). */
import { createHash } from 'node:crypto';
import { constantTimeEqual } from '../../crypto/keyed-hash';

/** RFC 7636 section 4.2: BASE64URL(SHA256(verifier)) is always 43 characters. */
export const CODE_CHALLENGE_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** RFC 7636 section 4.1: 43-128 unreserved characters. */
export const CODE_VERIFIER_PATTERN = /^[A-Za-z0-9._~-]{43,128}$/;

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** RFC 7636 section 4.6: the verifier must hash to the challenge of the authorization request. */
export function verifyPkce(verifier: string, challenge: string): boolean {
  return CODE_VERIFIER_PATTERN.test(verifier) && constantTimeEqual(s256(verifier), challenge);
}
