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
 *   can neither read it nor get a token for it.
 */
import type { Request, Response } from 'express';
import { readCookie } from '../auth/session-auth';
import { constantTimeEqual, keyedHash, randomSecret } from '../crypto/keyed-hash';
import { HASH_PURPOSE } from './options';

export const BROWSER_COOKIE = 'oauth_browser';
const BROWSER_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const NONCE_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const COOKIE_MAX_AGE_S = 24 * 60 * 60;

/** The browser-binding value of this request, set as a cookie when the browser has none yet. */
export function browserBinding(req: Request, res: Response, publicUrl: string): string {
  const existing = readCookie(req, BROWSER_COOKIE);
  if (existing && BROWSER_SHAPE.test(existing)) return existing;
  const value = randomSecret(32);
  const secure = publicUrl.startsWith('https://') ? '; Secure' : '';
  res.append(
    'Set-Cookie',
    `${BROWSER_COOKIE}=${value}; Path=/authorize; HttpOnly; SameSite=Lax; Max-Age=${COOKIE_MAX_AGE_S}${secure}`,
  );
  return value;
}

export function existingBrowserBinding(req: Request): string | undefined {
  const value = readCookie(req, BROWSER_COOKIE);
  return value && BROWSER_SHAPE.test(value) ? value : undefined;
}

export function hashBrowser(secretKey: string, browser: string): string {
  return keyedHash(secretKey, HASH_PURPOSE.browser, browser);
}

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
