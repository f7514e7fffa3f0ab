/**
 * POST /mcp: MCP Streamable HTTP, stateless (a fresh McpServer and transport per request - a shared
 * one misroutes concurrent responses with equal JSON-RPC ids; platform-facts.md). JSON responses
 * by default because Back4App's proxy may buffer SSE (MCP_RESPONSE_MODE=sse turns SSE on).
 * Authenticated by the session (Bearer or same-site cookie); without one: 401 with a JSON-RPC error
 * and the WWW-Authenticate challenge pointing at our Protected Resource Metadata.
 */
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Express, Response } from 'express';
import { AirtableApi } from '../airtable/api-client';
import { getAirtableRateLimiter } from '../airtable/rate-limiter';
import type { AirtableGrant } from '../auth/airtable-grant';
import { bearerChallenge } from '../auth/challenge';
import { authenticate } from '../auth/session-auth';
import type { AppDeps } from '../deps';
import { readBody } from '../http/body';
import { HttpError } from '../http/errors';
import { checkHostAndOrigin } from '../http/host-check';
import { mcpSessionLimiter } from '../http/rate-limit';
import { log } from '../log';
import { count, countAuthFailure } from '../observability/metrics';
import { createMcpServer } from '../mcp/server';
import { callsTools, missingScope } from '../mcp/tool-scopes';
import {
  CredentialUnreadableError,
  StorageUnavailableError,
  type UserTokenRecord,
} from '../storage/base';

export const MCP_BODY_LIMIT = 1024 * 1024;

function jsonRpcError(
  res: Response,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  res.status(status);
  res.setHeader('Cache-Control', 'no-store');
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.json({ jsonrpc: '2.0', error: { code, message }, id: null });
}

export interface McpRouteOptions {
  grant: AirtableGrant;
  /** Bench-only switch: skip authentication and act as this user (never set in production). */
  bypassAuthUserId?: string;
}

export function registerMcpRoutes(app: Express, deps: AppDeps, opts: McpRouteOptions): void {
  const resource = `${deps.config.publicUrl}/mcp`;
  const reconnectUrl = `${deps.config.publicUrl}/auth/authorize`;
  const sessionLimit = mcpSessionLimiter(deps.config.rateLimits);

  for (const method of ['get', 'delete', 'put', 'patch'] as const) {
    app[method]('/mcp', (_req, res) => {
      res.setHeader('Allow', 'POST');
      jsonRpcError(
        res,
        405,
        -32000,
        'Method not allowed: this server is stateless; send JSON-RPC with POST /mcp.',
      );
    });
  }

  app.post('/mcp', (req, res) => {
    void (async () => {
      const hostProblem = checkHostAndOrigin(req, deps.config.publicUrl);
      if (hostProblem) return jsonRpcError(res, 403, -32000, hostProblem);

      let userId: string;
      let grantedScopes: string[] | undefined;
      let platform = 'bench';
      let sessionExpiresAt = new Date(deps.now().getTime() + 3600_000);
      if (opts.bypassAuthUserId) {
        userId = opts.bypassAuthUserId;
      } else {
        const outcome = await authenticate(req, deps.storage, deps.config.publicUrl, resource);
        if (!outcome.ok) {
          countAuthFailure('mcp_token');
          const description = `${outcome.description} Sign in at ${reconnectUrl} (OAuth) or POST ${deps.config.publicUrl}/api/auth/direct with an Airtable personal access token, then send Authorization: Bearer <session_id>.`;
          return jsonRpcError(res, 401, -32001, description, {
            'WWW-Authenticate': bearerChallenge(deps.config.publicUrl, {
              error: outcome.error,
              description: outcome.description,
            }),
          });
        }
        userId = outcome.value.session.userId;
        // Per-session limit (cloud/http/rate-limit.ts): keyed on the session, so after authentication.
        const limited = await sessionLimit(outcome.value.session.id);
        if (limited) return jsonRpcError(res, 429, -32000, limited.message, limited.headers);
        platform = outcome.value.session.data.platform;
        sessionExpiresAt = outcome.value.session.expiresAt;
        if (outcome.value.session.data.kind === 'mcp_access')
          grantedScopes = outcome.value.session.data.scopes ?? [];
      }

      const body = await readBody(req, MCP_BODY_LIMIT);
      // Access tokens from our OAuth server carry scopes (RFC 6750 section 3.1: 403 insufficient_scope).
      const lacking = grantedScopes ? missingScope(body, grantedScopes) : undefined;
      if (lacking)
        return jsonRpcError(
          res,
          403,
          -32001,
          `This access token lacks the ${lacking} scope; authorize again with it.`,
          {
            'WWW-Authenticate': bearerChallenge(deps.config.publicUrl, {
              error: 'insufficient_scope',
              description: `The ${lacking} scope is required.`,
              scope: lacking,
            }),
          },
        );
      // Only tool calls reach Airtable: initialize, tools/list and ping need no stored credential
      // (saves a database read and a decryption per request).
      let token: UserTokenRecord | null = null;
      const needsAirtable = callsTools(body);
      try {
        if (needsAirtable) token = await deps.storage.getUserToken(userId);
      } catch (err) {
        if (!(err instanceof CredentialUnreadableError)) throw err;
        token = null;
      }
      if (needsAirtable && (!token || token.status === 'dead')) {
        countAuthFailure('mcp_airtable_credential');
        const description = `Your Airtable connection is gone (${token ? 'Airtable revoked it' : 'no credential stored'}); reconnect at ${reconnectUrl}.`;
        return jsonRpcError(res, 401, -32001, description, {
          'WWW-Authenticate': bearerChallenge(deps.config.publicUrl, {
            error: 'invalid_token',
            description: 'Airtable connection missing; reconnect.',
          }),
        });
      }

      let prefetched: UserTokenRecord | undefined = token ?? undefined;
      // The token Airtable last saw: after a 401 the grant compares it with the stored one, so a
      // pair another process already rotated is used instead of being refreshed again.
      let lastSent: string | undefined;
      const airtable = new AirtableApi({
        baseUrl: deps.config.airtable.apiBaseUrl,
        fetch: deps.fetch,
        tokens: {
          getAccessToken: async () => {
            // The record read above serves the first call; later calls re-read (it may rotate).
            const first = prefetched;
            prefetched = undefined;
            lastSent = await opts.grant.accessToken(userId, first);
            return lastSent;
          },
          refreshAfterUnauthorized: () =>
            lastSent ? opts.grant.afterUnauthorized(userId, lastSent) : Promise.resolve(null),
        },
        limiter: getAirtableRateLimiter(),
        timeoutMs: deps.config.airtable.timeoutMs,
        rateLimitBudgetMs: deps.config.airtable.rateLimitBudgetMs,
        userKey: userId,
        isPat: token?.credential.kind === 'pat',
        reconnectUrl,
        grantedScopes: token?.credential.scope ? token.credential.scope.split(' ') : [],
      });
      const server = createMcpServer({
        airtable,
        user: {
          userId,
          platform,
          kind: token?.credential.kind ?? 'oauth',
          scopes: token?.credential.scope ? token.credential.scope.split(' ') : [],
          sessionExpiresAt,
        },
        links: { reconnectUrl },
      });
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: process.env.MCP_RESPONSE_MODE !== 'sse',
      });
      res.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
    })().catch((err: unknown) => {
      if (err instanceof HttpError) return jsonRpcError(res, err.status, -32000, err.message);
      if (err instanceof StorageUnavailableError) {
        count('storage_unavailable');
        return jsonRpcError(res, 503, -32000, 'The database is unavailable; retry shortly.', {
          'Retry-After': '5',
        });
      }
      log.error({ err: err instanceof Error ? err.message : String(err) }, 'mcp request failed');
      jsonRpcError(res, 500, -32603, 'Internal error; it has been logged.');
    });
  });
}
