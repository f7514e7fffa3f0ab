/** Every HTTP route of the product, registered on one Express app (Express 4 or 5). */
import type { Express, NextFunction, Request, Response } from 'express';
import { sharedNodeHttpSender } from '../airtable/http-sender';
import { AirtableGrant } from '../auth/airtable-grant';
import { airtableOAuthClient, startAirtableSignIn } from '../auth/signin';
import type { Config } from '../config';
import type { AppDeps } from '../deps';
import { HttpError, sendError } from '../http/errors';
import {
  authorizationErrorRedirect,
  completeAuthorization,
  createOAuthServerStore,
  revokeUserGrants,
  registerOAuthServerRoutes,
  type OAuthServerDeps,
} from '../oauth-server';
import { registerMetricsRoute } from '../observability/metrics-route';
import { requestContext } from '../observability/request-context';
import { createStorage } from '../storage';
import type { CredentialRef } from '../storage/base';
import { registerAirtableAuthRoutes } from './auth-airtable';
import { registerSessionRoutes } from './auth-session';
import { registerHealthRoute } from './health';
import { registerMcpRoutes } from './mcp';
import { registerNotFound } from './not-found';
import { setSandboxPages } from '../web/html';

export function buildDeps(config: Config): AppDeps {
  return {
    config,
    storage: createStorage(config),
    fetch: (input, init) => globalThis.fetch(input, init),
    airtableSend: sharedNodeHttpSender(),
    now: () => new Date(),
  };
}

/** BENCH_BYPASS_AUTH_USER="<user id>:<credential id>" (the bench's auth baseline only). */
function benchBypassCredential(raw: string): CredentialRef {
  const [userId = '', credentialId] = raw.split(':');
  return credentialId ? { userId, credentialId } : { userId };
}

export function registerRoutes(
  app: Express,
  config: Config,
  deps: AppDeps = buildDeps(config),
): void {
  const grant = new AirtableGrant({
    storage: deps.storage,
    oauth: airtableOAuthClient(deps),
    reconnectUrl: `${config.publicUrl}/auth/authorize`,
    leaseMs: config.refreshLeaseMs,
  });
  // Every page of this process says SANDBOX when the configuration does (cloud/web/html.ts).
  setSandboxPages(config.sandbox);
  // First, so every route below runs with a request id (X-Request-Id, log lines) and is counted.
  app.use(requestContext());
  registerHealthRoute(app);
  registerMetricsRoute(app);
  // Our OAuth authorization server for MCP clients, chained to the Airtable sign-in (cloud/oauth-server).
  const oauthDeps: OAuthServerDeps = {
    ...deps,
    oauthStore: createOAuthServerStore(config),
    oauthTimings: {
      clientUnusedTtlMs: config.oauthClients.unusedTtlMs,
      clientIdleTtlMs: config.oauthClients.idleTtlMs,
    },
    airtableSignIn: {
      start: async (opts) => {
        const client = airtableOAuthClient(deps);
        if (!client)
          throw new Error('Airtable OAuth is not configured (AIRTABLE_CLIENT_ID is unset).');
        return startAirtableSignIn(deps, client, opts);
      },
    },
  };
  registerSessionRoutes(app, deps, {
    revokeUserGrants: (userId) => revokeUserGrants(oauthDeps, userId),
    grantsUseCredential: (ref) =>
      oauthDeps.oauthStore.credentialHasLiveGrants(ref.userId, ref.credentialId),
  });
  registerAirtableAuthRoutes(app, deps, {
    completePendingAuthorization: (pending, credential) =>
      completeAuthorization(oauthDeps, pending, credential),
    pendingAuthorizationError: (pending, error, description) =>
      authorizationErrorRedirect(
        config,
        { redirectUri: pending.redirectUri, state: pending.state, resource: pending.resource },
        error,
        description,
      ),
  });
  registerOAuthServerRoutes(app, oauthDeps);
  registerMcpRoutes(app, deps, {
    grant,
    ...(config.benchBypassAuthUser
      ? { bypassAuth: benchBypassCredential(config.benchBypassAuthUser) }
      : {}),
  });
  // Unknown paths and wrong methods under our browser-facing prefixes: 404/405, pages for browsers.
  registerNotFound(app);

  // Errors from body parsers that Back4App's app may run before our routes (malformed JSON,
  // oversize bodies) become clear 4xx answers instead of Express's HTML 500 page.
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const e = err as { type?: string; status?: number };
    if (
      req.path === '/mcp' &&
      (e.type === 'entity.parse.failed' || e.type === 'entity.too.large')
    ) {
      // MCP clients expect JSON-RPC error bodies (JSON-RPC 2.0 section 5.1: -32700 parse error).
      const tooLarge = e.type === 'entity.too.large';
      res.status(tooLarge ? 413 : 400).setHeader('Cache-Control', 'no-store');
      res.json({
        jsonrpc: '2.0',
        error: {
          code: tooLarge ? -32600 : -32700,
          message: tooLarge
            ? 'Request body is too large.'
            : 'Parse error: the body is not valid JSON.',
        },
        id: null,
      });
      return;
    }
    if (e.type === 'entity.parse.failed')
      return sendError(
        res,
        new HttpError(400, 'invalid_request', 'Request body is not valid JSON.'),
        req,
      );
    if (e.type === 'entity.too.large')
      return sendError(
        res,
        new HttpError(413, 'payload_too_large', 'Request body is too large.'),
        req,
      );
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500)
      return sendError(
        res,
        new HttpError(e.status, 'invalid_request', 'The request could not be read.'),
        req,
      );
    sendError(res, err, req);
  });
}
