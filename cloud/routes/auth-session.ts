/**
 * POST /api/auth/direct (the seed's API-key path), GET /api/auth/session (who am I) and
 * POST /auth/logout (this session and its credential when nothing else uses it, or with all=true
 * every session, grant and stored Airtable credential of the user). These manage sessions: they
 * accept session ids only (never our OAuth access tokens), and the two that change state refuse
 * cross-site browser requests (cloud/http/cross-site.ts).
 */
import type { Express } from 'express';
import { z } from 'zod';
import { AirtableOAuthError } from '../airtable/oauth-client';
import { releaseCredential, type GrantsUseCredential } from '../auth/credential-release';
import {
  authenticate,
  clearedSessionCookie,
  sessionCookie,
  sessionCredential,
} from '../auth/session-auth';
import { createUserSession, parsePlatform, signInWithPat } from '../auth/signin';
import type { AppDeps } from '../deps';
import { readBody } from '../http/body';
import { crossSiteProblem } from '../http/cross-site';
import { HttpError, handle, wantsHtml } from '../http/errors';
import { perIpLimit } from '../http/rate-limit';
import { log } from '../log';
import { StorageUnavailableError } from '../storage/base';
import { countAuthFailure } from '../observability/metrics';
import { sendPage } from '../web/page-headers';
import { connectedPage, homePage, signedOutPage } from '../web/pages';

// Airtable PATs look like pat<14>.<64 hex>; legacy API keys (key...) were retired in 2024, but we only
// check shape loosely and let whoami decide.
const DirectBody = z.object({
  api_key: z
    .string({ error: 'api_key is required (your Airtable personal access token)' })
    .trim()
    .min(10, 'api_key is too short to be an Airtable token')
    .max(512, 'api_key is too long')
    .regex(/^[A-Za-z0-9._-]+$/, 'api_key contains characters an Airtable token never has'),
  platform: z.string().optional(),
});

function unauthorized(description: string, publicUrl: string): HttpError {
  countAuthFailure('session');
  return new HttpError(
    401,
    'invalid_token',
    description,
    {
      'WWW-Authenticate': `Bearer error="invalid_token"`,
    },
    { sign_in: `${publicUrl}/auth/authorize`, direct: `${publicUrl}/api/auth/direct` },
  );
}

export interface SessionRouteOptions {
  /** Also ends the OAuth grants (refresh tokens) of the user on "sign out everywhere". */
  revokeUserGrants?: (userId: string) => Promise<number>;
  /** Whether OAuth grants still use a credential (logout then keeps it). */
  grantsUseCredential?: GrantsUseCredential;
}

function refuseCrossSite(req: Parameters<typeof crossSiteProblem>[0], publicUrl: string): void {
  const problem = crossSiteProblem(req, publicUrl);
  if (problem) {
    countAuthFailure('cross_site');
    throw new HttpError(403, 'cross_site_request', problem);
  }
}

export function registerSessionRoutes(
  app: Express,
  deps: AppDeps,
  opts: SessionRouteOptions = {},
): void {
  const directLimiter = perIpLimit(deps.config.rateLimits, {
    windowMs: 60_000,
    limit: 20,
    name: 'direct',
  });

  app.get('/', (_req, res) => {
    sendPage(
      res,
      200,
      homePage({
        publicUrl: deps.config.publicUrl,
        oauthConfigured: Boolean(deps.config.airtable.clientId),
      }),
    );
  });

  app.post(
    '/api/auth/direct',
    directLimiter,
    handle(async (req, res) => {
      refuseCrossSite(req, deps.config.publicUrl);
      const body = await readBody(req, 16 * 1024);
      const parsed = DirectBody.safeParse(body);
      if (!parsed.success)
        throw new HttpError(
          400,
          'invalid_request',
          parsed.error.issues.map((i) => i.message).join('; '),
        );
      const platform = parsePlatform(parsed.data.platform);
      if (!platform)
        throw new HttpError(
          400,
          'invalid_request',
          'platform must be letters, digits, "-" or "_".',
        );
      let signedIn;
      try {
        signedIn = await signInWithPat(deps, parsed.data.api_key);
      } catch (err) {
        if (err instanceof AirtableOAuthError) {
          if (err.kind === 'unauthorized') {
            countAuthFailure('pat_refused');
            throw new HttpError(401, 'invalid_api_key', err.message);
          }
          throw new HttpError(502, 'airtable_unavailable', err.message);
        }
        throw err;
      }
      const { whoami, credential } = signedIn;
      const { secret, record } = await createUserSession(deps, credential, platform);
      log.info({ userId: whoami.id, platform }, 'session created from personal access token');
      const mcpUrl = `${deps.config.publicUrl}/mcp`;
      res.setHeader('Cache-Control', 'no-store');
      // Our home page's form: the connected page, as after "Connect with Airtable", and the
      // browser keeps the session as a cookie (its sign-out button uses it).
      if (wantsHtml(req)) {
        const maxAge = Math.floor((record.expiresAt.getTime() - deps.now().getTime()) / 1000);
        res.setHeader('Set-Cookie', sessionCookie(secret, maxAge, deps.config.publicUrl));
        sendPage(
          res,
          200,
          connectedPage({
            userId: whoami.id,
            email: whoami.email,
            platform,
            mcpUrl,
            sessionId: secret,
            expiresAt: record.expiresAt,
          }),
        );
        return;
      }
      res.status(200).json({
        session_id: secret,
        user_id: whoami.id,
        expires_at: record.expiresAt.toISOString(),
        mcp_url: mcpUrl,
      });
    }),
  );

  app.get(
    '/api/auth/session',
    handle(async (req, res) => {
      const outcome = await authenticate(req, deps.storage, deps.config.publicUrl);
      if (!outcome.ok) throw unauthorized(outcome.description, deps.config.publicUrl);
      const { session } = outcome.value;
      // An unreadable credential reads as "missing" (reconnect); a database outage is a 503.
      const token = await deps.storage
        .getUserToken(sessionCredential(session))
        .catch((err: unknown) => {
          if (err instanceof StorageUnavailableError) throw err;
          return null;
        });
      res.setHeader('Cache-Control', 'no-store');
      res.json({
        user_id: session.userId,
        platform: session.data.platform,
        kind: token?.credential.kind ?? null,
        airtable_status: token ? token.status : 'missing',
        scopes: token?.credential.scope ? token.credential.scope.split(' ') : [],
        created_at: session.createdAt.toISOString(),
        expires_at: session.expiresAt.toISOString(),
      });
    }),
  );

  app.post(
    '/auth/logout',
    handle(async (req, res) => {
      refuseCrossSite(req, deps.config.publicUrl);
      const outcome = await authenticate(req, deps.storage, deps.config.publicUrl);
      if (!outcome.ok) throw unauthorized(outcome.description, deps.config.publicUrl);
      // The body is optional (all=true may come in the query); an unreadable one is ignored, but an
      // oversize one is refused like everywhere else.
      const body = await readBody(req, 4 * 1024).catch((err: unknown) => {
        if (err instanceof HttpError && err.status === 413) throw err;
        return {};
      });
      const allRaw =
        (typeof body === 'object' && body && !Array.isArray(body)
          ? (body as Record<string, unknown>).all
          : undefined) ?? req.query.all;
      const all = allRaw === true || allRaw === 'true' || allRaw === '1';
      const { session, secret } = outcome.value;
      let revoked = 0;
      let credentialDeleted: boolean;
      if (all) {
        if (opts.revokeUserGrants) await opts.revokeUserGrants(session.userId);
        revoked = await deps.storage.revokeUserSessions(session.userId);
        await deps.storage.deleteUserTokens(session.userId);
        credentialDeleted = true;
      } else {
        revoked = (await deps.storage.revokeSession(secret)) ? 1 : 0;
        credentialDeleted = await releaseCredential(deps.storage, sessionCredential(session), {
          endedSessionId: session.id,
          ...(opts.grantsUseCredential ? { grantsUse: opts.grantsUseCredential } : {}),
        });
      }
      log.info({ userId: session.userId, all, revoked, credentialDeleted }, 'logout');
      res.setHeader('Set-Cookie', clearedSessionCookie(deps.config.publicUrl));
      res.setHeader('Cache-Control', 'no-store');
      // The connected page's sign-out form: a page saying so, with a way back.
      if (wantsHtml(req)) {
        sendPage(res, 200, signedOutPage({ revokedSessions: revoked, credentialDeleted }));
        return;
      }
      res.json({ revoked_sessions: revoked, airtable_tokens_deleted: credentialDeleted });
    }),
  );
}
