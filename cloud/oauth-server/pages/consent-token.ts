/**
 * CSRF protection of the consent decision. SameSite cookies alone are not enough (and the
 * decision must not be forgeable by a site that fetched its own consent page for the same
 * client), so the form token is:
 *
 * - bound to the request: it is the key (stored hashed) of the OAuthConsent row that holds the
 *   validated authorization request, so the POST can only answer that request;
 * - single use and short-lived: the row is consumed atomically and expires in 10 minutes;
 * - bound to this browser and signed: `<nonce>.<HMAC(SECRET_KEY, nonce + browser cookie)>`, where
 *   the browser cookie is a random HttpOnly value set with the consent page - an attacker's page
 *   can neither read it nor get a token for it. The same cookie binds the Airtable sign-in that
 *   an approval starts (cloud/auth/browser-binding.ts).
 */
import { constantTimeEqual, keyedHash, randomSecret } from '../../crypto/keyed-hash';
import { HASH_PURPOSE } from '../options';

// The browser cookie is the one every sign-in flow is bound with (cloud/auth/browser-binding.ts).
export {
  bindBrowser as browserBinding,
  presentedBinding as existingBrowserBinding,
  hashBinding as hashBrowser,
} from '../../auth/browser-binding';

const NONCE_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function hashConsentNonce(secretKey: string, nonce: string): string {
  return keyedHash(secretKey, HASH_PURPOSE.consent, nonce);
}

function signature(secretKey: string, nonce: string, browser: string): string {
  return keyedHash(secretKey, HASH_PURPOSE.consentForm, `${nonce}.${browser}`);
}

export function newConsentNonce(): string {
  return randomSecret(32);
}

export function formToken(secretKey: string, nonce: string, browser: string): string {
  return `${nonce}.${signature(secretKey, nonce, browser)}`;
}

/** The nonce of a valid token for this browser, or undefined. */
export function verifyFormToken(
  secretKey: string,
  token: string,
  browser: string | undefined,
): string | undefined {
  if (!browser) return undefined;
  const dot = token.indexOf('.');
  if (dot < 0) return undefined;
  const nonce = token.slice(0, dot);
  const sig = token.slice(dot + 1);
  if (!NONCE_SHAPE.test(nonce)) return undefined;
  return constantTimeEqual(sig, signature(secretKey, nonce, browser)) ? nonce : undefined;
}
