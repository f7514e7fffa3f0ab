/**
 * POST /authorize/decision: the person's answer on the consent page. The form token must be
 * signed for this browser and match an unanswered consent row (consumed here, once). Deny sends
 * access_denied back (RFC 6749 section 4.1.2.1); approve issues our code at once when the browser
 * is signed in with a usable Airtable connection, and otherwise starts the Airtable sign-in with
 * the request parked in the OAuth state (the lead's /auth/callback then calls
 * completeAuthorization).
 */
import type { Request, Response } from 'express';
import { z } from 'zod';
import { constantTimeEqual } from '../crypto/keyed-hash';
import { readBody } from '../http/body';
import { log } from '../log';
import type { PendingAuthorization } from '../storage/base';
import { redirectTo } from './authorize';
import { findClient } from './clients';
import { completeAuthorization } from './complete';
import {
  existingBrowserBinding,
  hashBrowser,
  hashConsentNonce,
  verifyFormToken,
} from './consent-token';
import {
  AccessDeniedError,
  asOAuthError,
  InvalidRequestError,
  OAuthError,
  sendOAuthErrorPage,
} from './errors';
import { MCP_OAUTH_PLATFORM, type OAuthServerDeps } from './options';
import { errorRedirect } from './redirect';
import { isRegisteredRedirectUri } from './redirect-uri';
import { signedInUser } from './signed-in-user';

const DecisionBody = z.object({
  consent: z.string().min(1).max(200),
  decision: z.enum(['approve', 'deny']),
});

const EXPIRED =
  'This consent form has expired, was already answered, or was opened in another browser.';

/** Only our own consent page may post here (Fetch Metadata; Origin is "null" under no-referrer). */
function crossSite(req: Request, publicUrl: string): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = req.headers.origin;
  if (origin === undefined || origin === 'null') return false;
  try {
    return new URL(origin).origin !== new URL(publicUrl).origin;
  } catch {
    return true;
  }
}

export function decisionHandler(deps: OAuthServerDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    try {
      if (crossSite(req, deps.config.publicUrl)) {
        sendOAuthErrorPage(res, new AccessDeniedError('Cross-site consent answers are refused.'));
        return;
      }
      const parsed = DecisionBody.safeParse(await readBody(req, 8 * 1024));
      if (!parsed.success) {
        sendOAuthErrorPage(res, new InvalidRequestError('The consent form is incomplete.'));
        return;
      }
      const secretKey = deps.config.secretKey;
      const browser = existingBrowserBinding(req);
      const nonce = verifyFormToken(secretKey, parsed.data.consent, browser);
      const record = nonce
        ? await deps.oauthStore.consumeConsent(hashConsentNonce(secretKey, nonce))
        : null;
      if (
        !record ||
        !browser ||
        !constantTimeEqual(record.browserHash, hashBrowser(secretKey, browser))
      ) {
        sendOAuthErrorPage(res, new AccessDeniedError(EXPIRED), 403);
        return;
      }
      const request = record.request;
      const found = await findClient(deps, request.clientId);
      if (
        !found.ok ||
        !isRegisteredRedirectUri(found.client.metadata.redirect_uris, request.redirectUri)
      ) {
        sendOAuthErrorPage(
          res,
          new InvalidRequestError('The application is no longer registered.'),
        );
        return;
      }
      const target = { redirectUri: request.redirectUri, state: request.state };
      if (parsed.data.decision === 'deny') {
        redirectTo(
          res,
          errorRedirect(deps.config, target, 'access_denied', 'The person denied the request.'),
          303,
        );
        return;
      }
      try {
        const pending: PendingAuthorization = { ...request };
        const userId = await signedInUser(deps, req);
        const next = userId
          ? await completeAuthorization(deps, pending, userId)
          : await deps.airtableSignIn.start({
              platform: MCP_OAUTH_PLATFORM,
              pendingAuthorization: pending,
            });
        redirectTo(res, next, 303);
      } catch (err) {
        // The redirect URI is trusted now: the client learns that the server failed.
        const known = asOAuthError(err);
        if (!(err instanceof OAuthError))
          log.error(
            { err: err instanceof Error ? err.message : String(err) },
            'consent approval failed',
          );
        const [code, description] =
          known instanceof OAuthError
            ? [known.errorCode, known.message]
            : ['server_error', 'The authorization server failed; try again.'];
        redirectTo(res, errorRedirect(deps.config, target, code, description), 303);
      }
    } catch (err) {
      sendOAuthErrorPage(res, err);
    }
  };
}
