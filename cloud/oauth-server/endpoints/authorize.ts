/**
 * GET /authorize (RFC 6749 section 4.1.1 with PKCE, RFC 8707 resource): validates the request,
 * then shows the consent page with a CSRF-safe form token (consent-token.ts), naming the Airtable
 * account approving would connect when the browser is signed in (recorded with the consent row:
 * the decision refuses any other). Nothing is issued here; the answer goes to POST
 * /authorize/decision. Errors are always a page here (authorize-request.ts: no open redirect).
 */
import type { Request, Response } from 'express';
import { canonicalRedirect } from '../../http/public-origin';
import { validateAuthorizeRequest, rawQuery } from '../protocol/authorize-request';
import { consentPage } from '../pages/consent-page';
import {
  browserBinding,
  formToken,
  hashBrowser,
  hashConsentNonce,
  newConsentNonce,
} from '../pages/consent-token';
import { sendOAuthErrorPage } from '../protocol/errors';
import { sendPage } from '../../web/page-headers';
import { timings, type OAuthCoreDeps } from '../options';
import type { ConsentRecord } from '../store/store';
import { signedInAccount } from '../pages/signed-in-user';

/** A redirect that works on Express 4 and 5 alike, never cached. */
export function redirectTo(res: Response, url: string, status = 302): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Location', url);
  res.status(status).end();
}

export function authorizeHandler(deps: OAuthCoreDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    try {
      // Development: a client that found us as 127.0.0.1 continues in the browser on PUBLIC_URL
      // (the binding cookie must come back with Airtable's callback), keeping the resource it
      // discovered so its tokens and `iss` still name that alias.
      const moved = canonicalRedirect(req, deps.config.publicUrl, (alias, params) => {
        if (!params.has('resource')) params.set('resource', `${alias}/mcp`);
      });
      if (moved) {
        redirectTo(res, moved);
        return;
      }
      const outcome = await validateAuthorizeRequest(
        deps,
        rawQuery(req.originalUrl || req.url, deps.config),
      );
      if (outcome.kind === 'show') {
        sendOAuthErrorPage(res, outcome.error, outcome.status);
        return;
      }
      const secretKey = deps.config.secretKey;
      const browser = browserBinding(req, res, deps.config.publicUrl);
      const nonce = newConsentNonce();
      const account = await signedInAccount(deps, req);
      const record: ConsentRecord = {
        request: outcome.request,
        browserHash: hashBrowser(secretKey, browser),
      };
      if (account) {
        record.account = { userId: account.credential.userId };
        if (account.credential.credentialId)
          record.account.credentialId = account.credential.credentialId;
      }
      await deps.oauthStore.createConsent(
        hashConsentNonce(secretKey, nonce),
        record,
        new Date(deps.now().getTime() + timings(deps).consentTtlMs),
      );
      sendPage(
        res,
        200,
        consentPage({
          client: outcome.client,
          request: outcome.request,
          formToken: formToken(secretKey, nonce, browser),
          account: account && {
            userId: account.credential.userId,
            email: account.email,
            kind: account.kind,
          },
        }),
      );
    } catch (err) {
      sendOAuthErrorPage(res, err);
    }
  };
}
