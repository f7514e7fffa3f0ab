/**
 * GET /auth/authorize and GET /auth/callback: the seed's Airtable OAuth 2.0 + PKCE flow
 * (airtable.com/developers/web/api/oauth-reference). The state is single use: a replayed or
 * expired one gets 400 "Invalid state - start again".
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
import { sessionCookie } from '../auth/session-auth';
import type { AppDeps } from '../deps';
import { HttpError, handle } from '../http/errors';
import { perIpLimit } from '../http/rate-limit';
import { log } from '../log';
import { countAuthFailure } from '../observability/metrics';
import type { PendingAuthorization } from '../storage/base';
import { setPageHeaders } from '../web/page-headers';
import { configureOAuthPage, connectedPage, describeAirtableError, errorPage } from '../web/pages';

export interface AirtableAuthRouteOptions {
  /** Our OAuth server turns an approved MCP client request into a code (cloud/oauth-server). */
  completePendingAuthorization?: (pending: PendingAuthorization, userId: string) => Promise<string>;
  /** Where to send an MCP client whose person refused (or Airtable failed) the Airtable step. */
  pendingAuthorizationError?: (
    pending: PendingAuthorization,
    error: string,
    description: string,
  ) => string;
}

function wantsJson(req: Request): boolean {
  const accept = String(req.headers.accept ?? '');
  return accept.includes('application/json') && !accept.includes('text/html');
}

function sendPage(res: Response, status: number, html: string): void {
  res.status(status);
  setPageHeaders(res);
  res.send(html);
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
      const client = oauthClientOrExplain(deps, res);
      if (!client) return;
      const platform = parsePlatform(req.query.platform);
      if (!platform)
        throw new HttpError(
          400,
          'invalid_request',
          'platform must be letters, digits, "-" or "_" (e.g. chatgpt, claude, cursor).',
        );
      const url = await startAirtableSignIn(deps, client, { platform });
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
          signedIn.userId,
        );
        res.setHeader('Cache-Control', 'no-store');
        res.redirect(302, redirect);
        return;
      }
      const { secret, record } = await createUserSession(deps, signedIn.userId, signedIn.platform);
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
          sandbox: deps.config.sandbox,
        }),
      );
    }),
  );
}
