/**
 * The MCP authorization server's routes on Back4App's global Express app (Express 4 or 5; plain
 * handlers, no express import at runtime): discovery, registration, authorization with consent,
 * token and revocation. Chained to Airtable's OAuth through `airtableSignIn` (cloud/auth), which
 * hands back to completeAuthorization after the Airtable sign-in.
 */
import type { Express, Request, RequestHandler, Response } from 'express';
import { authorizeHandler } from './endpoints/authorize';
import { cors, registerPreflight } from './endpoints/cors';
import { decisionHandler } from './endpoints/decision';
import {
  authorizationServerMetadataHandler,
  protectedResourceMetadataHandler,
} from './endpoints/metadata-routes';
import type { OAuthServerDeps } from './options';
import { oauthRateLimit, tokenRateLimits } from './endpoints/rate-limit';
import { registerHandler } from './endpoints/register';
import { revokeHandler } from './endpoints/revoke';
import { tokenHandler } from './endpoints/token';
import { setSandboxPages } from '../web/html';

export interface OAuthRateLimits {
  /** Registrations per IP per 10 minutes. */
  registrations: number;
  /** Consent pages per IP per minute (each creates a row). */
  authorizations: number;
}

export const DEFAULT_RATE_LIMITS: OAuthRateLimits = { registrations: 30, authorizations: 60 };

/** Every rejection of an async handler is already answered inside it; this only satisfies Express 4. */
function run(fn: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req, res) => void fn(req, res);
}

export function registerOAuthServerRoutes(
  app: Express,
  deps: OAuthServerDeps & { oauthRateLimits?: Partial<OAuthRateLimits> },
): void {
  setSandboxPages(deps.config.sandbox);
  // RATE_LIMIT_MULTIPLIER scales the defaults (as cloud/http/rate-limit.ts does); explicit limits win.
  const multiplier = deps.config.rateLimits.multiplier;
  const limits: OAuthRateLimits = {
    registrations: DEFAULT_RATE_LIMITS.registrations * multiplier,
    authorizations: DEFAULT_RATE_LIMITS.authorizations * multiplier,
    ...deps.oauthRateLimits,
  };

  const prm = protectedResourceMetadataHandler(deps.config);
  for (const path of [
    '/.well-known/oauth-protected-resource',
    '/.well-known/oauth-protected-resource/mcp',
  ]) {
    registerPreflight(app, path, 'GET');
    app.get(path, cors('GET, OPTIONS'), prm);
  }
  registerPreflight(app, '/.well-known/oauth-authorization-server', 'GET');
  app.get(
    '/.well-known/oauth-authorization-server',
    cors('GET, OPTIONS'),
    authorizationServerMetadataHandler(deps.config),
  );

  registerPreflight(app, '/register', 'POST');
  app.post(
    '/register',
    cors('POST, OPTIONS'),
    oauthRateLimit(deps.config.rateLimits, {
      name: 'oauth-register',
      windowMs: 10 * 60 * 1000,
      limit: limits.registrations,
    }),
    run(registerHandler(deps)),
  );

  // No CORS here: /authorize is a top-level navigation, never a fetch.
  app.get(
    '/authorize',
    oauthRateLimit(deps.config.rateLimits, {
      name: 'oauth-authorize',
      windowMs: 60 * 1000,
      limit: limits.authorizations,
      html: true,
    }),
    run(authorizeHandler(deps)),
  );
  app.post('/authorize/decision', run(decisionHandler(deps)));

  registerPreflight(app, '/token', 'POST');
  app.post(
    '/token',
    cors('POST, OPTIONS'),
    ...tokenRateLimits(deps.config.rateLimits),
    run(tokenHandler(deps)),
  );

  registerPreflight(app, '/revoke', 'POST');
  app.post('/revoke', cors('POST, OPTIONS'), run(revokeHandler(deps)));
}

export { completeAuthorization } from './grants/complete';
export { errorRedirect as authorizationErrorRedirect } from './protocol/redirect';
export { resourceMetadataUrl, resourceUrl, wwwAuthenticate } from './protocol/metadata';
export { revokeUserGrants } from './grants/grants';
export type { AirtableSignInPort, OAuthCoreDeps, OAuthServerDeps } from './options';
export type { OAuthServerStore } from './store/store';
