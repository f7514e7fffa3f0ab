/**
 * GET /auth/authorize and GET /auth/callback: the seed's Airtable OAuth 2.0 + PKCE flow
 * (airtable.com/developers/web/api/oauth-reference). The state is single use: a replayed or
 * expired one gets 400 "Invalid state - start again". The callback completes only in the browser
 * that started the flow (cloud/auth/browser-binding.ts); anywhere else it issues nothing.
 */
import type { Express, Request, Response } from 'express';
import { AirtableOAuthError, type AirtableOAuthClient } from '../airtable/oauth-client';
import {
  createUserSession,
  parsePlatform,
  startAirtableSignIn,
  completeAirtableSignIn,
  airtableOAuthClient,
} from '../auth/signin';
import { bindBrowser, sameBrowser } from '../auth/browser-binding';
import { sessionCookie } from '../auth/session-auth';
import type { AppDeps } from '../deps';
import { HttpError, handle } from '../http/errors';
import { canonicalRedirect } from '../http/public-origin';
import { perIpLimit } from '../http/rate-limit';
import { log } from '../log';
import { countAuthFailure } from '../observability/metrics';
import type { CredentialRef, PendingAuthorization } from '../storage/base';
import { sendPage } from '../web/page-headers';
import { configureOAuthPage, connectedPage, describeAirtableError, errorPage } from '../web/pages';

export interface AirtableAuthRouteOptions {
  /** Our OAuth server turns an approved MCP client request into a code (cloud/oauth-server). */
  completePendingAuthorization?: (
    pending: PendingAuthorization,
    credential: Required<CredentialRef>,
  ) => Promise<string>;
  /** Where to send an MCP client whose person refused (or Airtable failed) the Airtable step. */
  pendingAuthorizationError?: (
    pending: PendingAuthorization,
    error: string,
    description: string,
  ) => string;
}

/**
 * The callback is a browser navigation (Airtable redirects to it): a page unless the client asks
 * for JSON and not HTML (scripts and tests that complete a sign-in by hand). Errors thrown from
 * these handlers go through sendError, which decides by Accept (cloud/http/errors.ts).
 */
function wantsJson(req: Request): boolean {
  const accept = String(req.headers.accept ?? '');
  return accept.includes('application/json') && !accept.includes('text/html');
}

function fail(
  req: Request,
  res: Response,
  status: number,
  code: string,
  title: string,
  message: string,
  retry = true,
): void {
  if (code === 'invalid_state' || code === 'invalid_grant') countAuthFailure('airtable_callback');
  if (wantsJson(req)) {
    res.status(status).setHeader('Cache-Control', 'no-store');
    res.json({
      error: code,
      error_description: message,
      ...(retry ? { retry_url: '/auth/authorize' } : {}),
    });
    return;
  }
  sendPage(
    res,
    status,
    errorPage({ title, message, ...(retry ? { retryUrl: '/auth/authorize' } : {}) }),
  );
}

/** The Airtable OAuth client, or undefined after answering with the "configure me" page. */
function oauthClientOrExplain(deps: AppDeps, res: Response): AirtableOAuthClient | undefined {
  const client = airtableOAuthClient(deps);
  if (!client) sendPage(res, 503, configureOAuthPage(deps.config.airtable.redirectUri));
  return client;
}

function single(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function registerAirtableAuthRoutes(
  app: Express,
  deps: AppDeps,
  opts: AirtableAuthRouteOptions = {},
): void {
  const limiter = perIpLimit(deps.config.rateLimits, {
    windowMs: 60_000,
    limit: 30,
    name: 'authorize',
  });

  app.get(
    '/auth/authorize',
    limiter,
    handle(async (req, res) => {
      // The callback comes back to AIRTABLE_REDIRECT_URI (PUBLIC_URL): start there, so the
      // browser-binding cookie set below is the one the callback sees (development aliases).
      const moved = canonicalRedirect(req, deps.config.publicUrl);
      if (moved) {
        res.setHeader('Cache-Control', 'no-store');
        res.redirect(302, moved);
        return;
      }
      const client = oauthClientOrExplain(deps, res);
      if (!client) return;
      const platform = parsePlatform(req.query.platform);
      if (!platform)
        throw new HttpError(
          400,
          'invalid_request',
          'platform must be letters, digits, "-" or "_" (e.g. chatgpt, claude, cursor).',
        );
      const browser = bindBrowser(req, res, deps.config.publicUrl);
      const url = await startAirtableSignIn(deps, client, { platform, browser });
      res.setHeader('Cache-Control', 'no-store');
      res.redirect(302, url);
    }),
  );

  app.get(
    '/auth/callback',
    limiter,
    handle(async (req, res) => {
      const client = oauthClientOrExplain(deps, res);
      if (!client) return;
      const state = single(req.query.state);
      const code = single(req.query.code);
      const airtableError = single(req.query.error);
      if (!state || state.length > 1024) {
        fail(
          req,
          res,
          400,
          'invalid_state',
          'Invalid state - start again',
          'The sign-in link is missing its state. Start the sign-in again.',
        );
        return;
      }
      // Consume first: the state is single use whatever happens next (also on Airtable errors).
      const stateData = await deps.storage.consumeState(state);
      if (!stateData) {
        fail(
          req,
          res,
          400,
          'invalid_state',
          'Invalid state - start again',
          'This sign-in link has expired or was already used. Start the sign-in again.',
        );
        return;
      }
      if (!sameBrowser(req, deps.config.secretKey, stateData.browserHash)) {
        // Someone else's sign-in link (or one opened in another browser): finishing it here would
        // hand this browser's Airtable approval to whoever started it, or sign this browser in to
        // their account. The state is consumed; nothing is exchanged or issued.
        countAuthFailure('browser_mismatch');
        log.warn(
          { pending: Boolean(stateData.pendingAuthorization) },
          'callback in another browser',
        );
        fail(
          req,
          res,
          403,
          'browser_mismatch',
          'Sign-in started in another browser',
          'This Airtable sign-in was started in a different browser (or its cookie expired), so it cannot finish here. If you started it yourself, start again in this browser; if someone sent you this link, close this page.',
        );
        return;
      }
      if (airtableError) {
        const known = /^[a-z_]{1,64}$/.test(airtableError) ? airtableError : 'unknown_error';
        if (stateData.pendingAuthorization && opts.pendingAuthorizationError) {
          // RFC 6749 section 4.1.2.1: the MCP client hears about it at its (trusted) redirect URI.
          const code = known === 'access_denied' ? 'access_denied' : 'server_error';
          res.setHeader('Cache-Control', 'no-store');
          res.redirect(
            302,
            opts.pendingAuthorizationError(
              stateData.pendingAuthorization,
              code,
              describeAirtableError(known),
            ),
          );
          return;
        }
        fail(
          req,
          res,
          known === 'access_denied' ? 403 : 400,
          known,
          'Airtable did not connect',
          describeAirtableError(known),
        );
        return;
      }
      if (!code || code.length > 4096) {
        fail(
          req,
          res,
          400,
          'invalid_request',
          'Invalid callback',
          'Airtable sent no authorization code. Start the sign-in again.',
        );
        return;
      }
      let signedIn;
      try {
        signedIn = await completeAirtableSignIn(deps, client, code, stateData);
      } catch (err) {
        if (err instanceof AirtableOAuthError) {
          log.warn({ kind: err.kind, status: err.status }, 'airtable code exchange failed');
          const status = err.kind === 'invalid_grant' ? 400 : 502;
          fail(
            req,
            res,
            status,
            err.kind === 'invalid_grant' ? 'invalid_grant' : 'airtable_error',
            'Could not finish connecting to Airtable',
            err.message,
          );
          return;
        }
        throw err;
      }
      if (signedIn.pendingAuthorization) {
        if (!opts.completePendingAuthorization)
          throw new HttpError(500, 'server_error', 'The OAuth server is not enabled.');
        const redirect = await opts.completePendingAuthorization(
          signedIn.pendingAuthorization,
          signedIn.credential,
        );
        res.setHeader('Cache-Control', 'no-store');
        res.redirect(302, redirect);
        return;
      }
      const { secret, record } = await createUserSession(
        deps,
        signedIn.credential,
        signedIn.platform,
      );
      const maxAge = Math.floor((record.expiresAt.getTime() - deps.now().getTime()) / 1000);
      res.setHeader('Set-Cookie', sessionCookie(secret, maxAge, deps.config.publicUrl));
      const mcpUrl = `${deps.config.publicUrl}/mcp`;
      if (wantsJson(req)) {
        res.status(200).setHeader('Cache-Control', 'no-store');
        res.json({
          session_id: secret,
          user_id: signedIn.userId,
          email: signedIn.whoami.email ?? null,
          platform: signedIn.platform,
          expires_at: record.expiresAt.toISOString(),
          mcp_url: mcpUrl,
        });
        return;
      }
      sendPage(
        res,
        200,
        connectedPage({
          userId: signedIn.userId,
          email: signedIn.whoami.email,
          platform: signedIn.platform,
          mcpUrl,
          sessionId: secret,
          expiresAt: record.expiresAt,
        }),
      );
    }),
  );
}
