/**
 * GET /authorize (RFC 6749 section 4.1.1 with PKCE, RFC 8707 resource): validates the request,
 * then shows the consent page with a CSRF-safe form token (consent-token.ts). Nothing is issued
 * here; the person's answer goes to POST /authorize/decision.
 */
import type { Request, Response } from 'express';
import { validateAuthorizeRequest, rawQuery } from './authorize-request';
import { consentPage } from './consent-page';
import {
  browserBinding,
  formToken,
  hashBrowser,
  hashConsentNonce,
  newConsentNonce,
} from './consent-token';
import { sendOAuthErrorPage, setPageHeaders } from './errors';
import { timings, type OAuthCoreDeps } from './options';
import { errorRedirect } from './redirect';
import { signedInUser } from './signed-in-user';

/** A redirect that works on Express 4 and 5 alike, never cached. */
export function redirectTo(res: Response, url: string, status = 302): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Location', url);
  res.status(status).end();
}

export function authorizeHandler(deps: OAuthCoreDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    try {
      const outcome = await validateAuthorizeRequest(
        deps,
        rawQuery(req.originalUrl || req.url, deps.config),
      );
      if (outcome.kind === 'show') {
        sendOAuthErrorPage(res, outcome.error, outcome.status);
        return;
      }
      if (outcome.kind === 'redirect') {
        redirectTo(
          res,
          errorRedirect(
            deps.config,
            { redirectUri: outcome.redirectUri, state: outcome.state },
            outcome.error.errorCode,
            outcome.error.message,
          ),
        );
        return;
      }
      const secretKey = deps.config.secretKey;
      const browser = browserBinding(req, res, deps.config.publicUrl);
      const nonce = newConsentNonce();
      await deps.oauthStore.createConsent(
        hashConsentNonce(secretKey, nonce),
        { request: outcome.request, browserHash: hashBrowser(secretKey, browser) },
        new Date(deps.now().getTime() + timings(deps).consentTtlMs),
      );
      const signedIn = (await signedInUser(deps, req)) !== undefined;
      setPageHeaders(res);
      res.status(200).send(
        consentPage({
          client: outcome.client,
          request: outcome.request,
          formToken: formToken(secretKey, nonce, browser),
          signedIn,
        }),
      );
    } catch (err) {
      sendOAuthErrorPage(res, err);
    }
  };
}
