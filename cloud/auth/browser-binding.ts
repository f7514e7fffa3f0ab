/**
 * Binds every flow that leaves for Airtable, and every consent form, to the browser that started
 * it. A random value lives in an HttpOnly, SameSite=Lax cookie; only its keyed hash is stored (with
 * the OAuthState of a sign-in, with the OAuthConsent row of a consent form). The Airtable callback
 * completes only in a browser that presents the matching cookie, so a sign-in link started in
 * one browser (an attacker's) and finished in another (a victim's) issues nothing: neither a
 * session (login CSRF) nor an authorization code for the attacker's client (consent phishing
 * through the chained authorization). RFC 6749 section 10.12 ("bind the value of the state
 * parameter to the user-agent's authenticated state"), RFC 9700 section 4.7.1.
 *
 * SameSite=Lax: the cookie still rides on the top-level GET that Airtable redirects back with,
 * and on our own consent form's POST; it is not sent on cross-site subrequests.
 */
import type { Request, Response } from 'express';
import { constantTimeEqual, keyedHash, randomSecret } from '../crypto/keyed-hash';
import { readCookie } from './session-auth';

export const BROWSER_COOKIE = 'signin_browser';
const SHAPE = /^[A-Za-z0-9_-]{43}$/;
/** Longer than a sign-in may take (OAuthState: 15 minutes); renewed at each start. */
const MAX_AGE_S = 24 * 60 * 60;
const PURPOSE = 'signin-browser';

/** The binding value this browser already carries, if any. */
export function presentedBinding(req: Request): string | undefined {
  const value = readCookie(req, BROWSER_COOKIE);
  return value && SHAPE.test(value) ? value : undefined;
}

/**
 * This browser's binding value: the one it carries, or a new one. Either way the cookie is
 * (re)set, so a flow started now outlives its OAuthState. Several tabs share the value, so two
 * sign-ins started side by side in one browser both complete.
 */
export function bindBrowser(req: Request, res: Response, publicUrl: string): string {
  const value = presentedBinding(req) ?? randomSecret(32);
  const secure = publicUrl.startsWith('https://') ? '; Secure' : '';
  res.append(
    'Set-Cookie',
    `${BROWSER_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${MAX_AGE_S}${secure}`,
  );
  return value;
}

/** What is stored in place of the binding value. */
export function hashBinding(secretKey: string, value: string): string {
  return keyedHash(secretKey, PURPOSE, value);
}

/** Whether this request comes from the browser whose binding hashes to `expectedHash`. */
export function sameBrowser(
  req: Request,
  secretKey: string,
  expectedHash: string | undefined,
): boolean {
  const value = presentedBinding(req);
  if (!value || !expectedHash) return false;
  return constantTimeEqual(hashBinding(secretKey, value), expectedHash);
}
