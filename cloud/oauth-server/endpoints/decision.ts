/**
 * POST /authorize/decision: the person's answer on the consent page. The form token must be
 * signed for this browser and match an unanswered consent row (consumed here, once); cross-site
 * posts are refused. Deny sends access_denied back (RFC 6749 section 4.1.2.1). "approve" on a
 * page that named a signed-in Airtable account issues our code at once for exactly that account's
 * credential (if the browser's sign-in changed since, nothing is issued); on a page that named no
 * account, and for "approve_other_account", it starts the Airtable sign-in, bound to this browser,
 * with the request parked in the OAuth state (/auth/callback then calls completeAuthorization).
 */
import type { Request, Response } from 'express';
import { z } from 'zod';
import { constantTimeEqual } from '../../crypto/keyed-hash';
import { readBody } from '../../http/body';
import { log } from '../../log';
import type { PendingAuthorization } from '../../storage/base';
import { redirectTo } from './authorize';
import { findClient } from '../clients/clients';
import { completeAuthorization } from '../grants/complete';
import {
  existingBrowserBinding,
  hashBrowser,
  hashConsentNonce,
  verifyFormToken,
} from '../pages/consent-token';
import {
  AccessDeniedError,
  asOAuthError,
  InvalidRequestError,
  OAuthError,
  sendOAuthErrorPage,
} from '../protocol/errors';
import { MCP_OAUTH_PLATFORM, type OAuthServerDeps } from '../options';
import { errorRedirect } from '../protocol/redirect';
import { isRegisteredRedirectUri } from '../protocol/redirect-uri';
import { sameAccount, signedInAccount } from '../pages/signed-in-user';
import { crossSiteProblem } from '../../http/cross-site';

const DecisionBody = z.object({
  consent: z.string().min(1).max(200),
  decision: z.enum(['approve', 'approve_other_account', 'deny']),
});

const EXPIRED =
  'This consent form has expired, was already answered, or was opened in another browser.';
const ACCOUNT_CHANGED =
  'The Airtable account signed in in this browser changed after this page was shown, so nothing was approved. Go back to the application and connect again.';

export function decisionHandler(deps: OAuthServerDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    try {
      if (crossSiteProblem(req, deps.config.publicUrl)) {
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
      const target = {
        redirectUri: request.redirectUri,
        state: request.state,
        resource: request.resource,
      };
      if (parsed.data.decision === 'deny') {
        redirectTo(
          res,
          errorRedirect(deps.config, target, 'access_denied', 'The person denied the request.'),
          303,
        );
        return;
      }
      const shown = parsed.data.decision === 'approve' ? record.account : undefined;
      if (shown) {
        const current = await signedInAccount(deps, req);
        if (!current || !sameAccount(current.credential, shown)) {
          sendOAuthErrorPage(res, new AccessDeniedError(ACCOUNT_CHANGED), 409);
          return;
        }
      }
      try {
        const pending: PendingAuthorization = { ...request };
        const next = shown
          ? await completeAuthorization(deps, pending, shown)
          : await deps.airtableSignIn.start({
              platform: MCP_OAUTH_PLATFORM,
              pendingAuthorization: pending,
              browser,
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
