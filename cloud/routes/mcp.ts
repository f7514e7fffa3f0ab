/**
 * POST /mcp: MCP Streamable HTTP, stateless (a fresh McpServer and transport per request - a shared
 * one misroutes concurrent responses with equal JSON-RPC ids; platform-facts.md). JSON responses
 * by default because Back4App's proxy may buffer SSE (MCP_RESPONSE_MODE=sse turns SSE on).
 *
 * One request, in named steps: check Host/Origin, authenticate (a session id, or an access token
 * of our OAuth server issued for this resource), read the body, check the token's scopes, load the
 * connection's own Airtable credential (only for tool calls), serve. The MCP server, tools and
 * transport are loaded on the first request that passes authentication (cloud/mcp/runtime.ts).
 * Without a credential: 401 with a JSON-RPC error and the WWW-Authenticate challenge pointing at
 * our Protected Resource Metadata.
 */
import type { Express, Request, Response } from 'express';
import { getAirtableRateLimiter } from '../airtable/rate-limiter';
import type { AirtableGrant } from '../auth/airtable-grant';
import { authenticate, sessionCredential } from '../auth/session-auth';
import type { AppDeps } from '../deps';
import { InvalidJsonError, readBody } from '../http/body';
import { HttpError } from '../http/errors';
import { checkHostAndOrigin } from '../http/host-check';
import { publicUrlFor } from '../http/public-origin';
import { mcpSessionLimiter } from '../http/rate-limit';
import { lazyModule } from '../lazy-module';
import { log } from '../log';
import { count, countAuthFailure } from '../observability/metrics';
import { wwwAuthenticate } from '../oauth-server/protocol/metadata';
import {
  CredentialUnreadableError,
  StorageUnavailableError,
  type CredentialRef,
  type UserTokenRecord,
} from '../storage/base';

export const MCP_BODY_LIMIT = 1024 * 1024;

type McpRuntime = typeof import('../mcp/runtime');

/** The MCP server, tools and transport, loaded on first use (cloud/mcp/runtime.ts says why). */
const mcpRuntime = lazyModule(() => import('../mcp/runtime'));

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

/**
 * The JSON-RPC code of a refused body, the same whether our reader or a body parser that ran
 * before our routes (routes/index.ts) refused it: -32700 parse error, -32600 too large (JSON-RPC
 * 2.0 section 5.1); -32000 (server-defined) for the rest.
 */
function rpcCode(err: HttpError): number {
  if (err instanceof InvalidJsonError) return -32700;
  return err.status === 413 ? -32600 : -32000;
}

export interface McpRouteOptions {
  grant: AirtableGrant;
  /** Bench-only switch: skip authentication and act with this credential (never in production). */
  bypassAuth?: CredentialRef;
}

/** Who is calling, once authenticated. */
interface Caller {
  credential: CredentialRef;
  platform: string;
  sessionExpiresAt: Date;
  /** Our OAuth scopes of an access token; undefined for session ids (the person's whole grant). */
  grantedScopes: string[] | undefined;
}

export function registerMcpRoutes(app: Express, deps: AppDeps, opts: McpRouteOptions): void {
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

  /** Step 1: the caller, or undefined after answering 401 with the challenge. */
  async function authenticateCaller(
    req: Request,
    res: Response,
    publicUrl: string,
  ): Promise<Caller | undefined> {
    if (opts.bypassAuth)
      return {
        credential: opts.bypassAuth,
        platform: 'bench',
        sessionExpiresAt: new Date(deps.now().getTime() + 3600_000),
        grantedScopes: undefined,
      };
    const outcome = await authenticate(req, deps.storage, deps.config.publicUrl, {
      resource: `${publicUrl}/mcp`,
    });
    if (!outcome.ok) {
      countAuthFailure('mcp_token');
      const description = `${outcome.description} Sign in at ${reconnectUrl} (OAuth) or POST ${deps.config.publicUrl}/api/auth/direct with an Airtable personal access token, then send Authorization: Bearer <session_id>.`;
      // RFC 6750 section 3.1: a request without any credentials gets no error code.
      const presented = outcome.error !== 'invalid_request';
      jsonRpcError(res, 401, -32001, description, {
        'WWW-Authenticate': wwwAuthenticate(
          { publicUrl },
          presented ? { error: outcome.error, errorDescription: outcome.description } : {},
        ),
      });
      return undefined;
    }
    const { session } = outcome.value;
    // Per-session limit (cloud/http/rate-limit.ts): keyed on the session, so after authentication.
    const limited = await sessionLimit(session.id);
    if (limited) {
      jsonRpcError(res, 429, -32000, limited.message, limited.headers);
      return undefined;
    }
    return {
      // Each connection uses the credential it was created with (cloud/storage/base.ts).
      credential: sessionCredential(session),
      platform: session.data.platform,
      sessionExpiresAt: session.expiresAt,
      grantedScopes: session.data.kind === 'mcp_access' ? (session.data.scopes ?? []) : undefined,
    };
  }

  /** Step 2: an access token's scopes cover the message; else 403 insufficient_scope. */
  function scopeAllows(
    rt: McpRuntime,
    res: Response,
    caller: Caller,
    body: unknown,
    publicUrl: string,
  ): boolean {
    const granted = caller.grantedScopes;
    const lacking = granted ? rt.missingScope(body, granted) : undefined;
    if (!lacking) return true;
    // MCP 2025-11-25 step-up: the challenge lists what was granted plus what is needed, so a
    // client that replaces its scopes with these does not lose the ones it had.
    const wanted = [...new Set([...(granted ?? []), lacking])].join(' ');
    jsonRpcError(
      res,
      403,
      -32001,
      `This access token lacks the ${lacking} scope; authorize again with it.`,
      {
        'WWW-Authenticate': wwwAuthenticate(
          { publicUrl },
          {
            error: 'insufficient_scope',
            errorDescription: `The ${lacking} scope is required.`,
            scope: wanted,
          },
        ),
      },
    );
    return false;
  }

  /**
   * Step 3: the connection's stored Airtable credential - only for the messages that reach
   * Airtable (tools/call, resources/list, resources/read; initialize, tools/list, prompts and ping
   * skip the read and the decryption).
   * Undefined after answering 401 when it is gone.
   */
  async function loadCredential(
    rt: McpRuntime,
    res: Response,
    caller: Caller,
    body: unknown,
    publicUrl: string,
  ): Promise<{ token: UserTokenRecord | null } | undefined> {
    if (!rt.reachesAirtable(body)) return { token: null };
    let token: UserTokenRecord | null;
    try {
      token = await deps.storage.getUserToken(caller.credential);
    } catch (err) {
      if (!(err instanceof CredentialUnreadableError)) throw err;
      token = null;
    }
    if (token && token.status !== 'dead') return { token };
    countAuthFailure('mcp_airtable_credential');
    const description = `Your Airtable connection is gone (${token ? 'Airtable revoked it' : 'no credential stored'}); reconnect at ${reconnectUrl}.`;
    jsonRpcError(res, 401, -32001, description, {
      'WWW-Authenticate': wwwAuthenticate(
        { publicUrl },
        { error: 'invalid_token', errorDescription: 'Airtable connection missing; reconnect.' },
      ),
    });
    return undefined;
  }

  /** Step 4: a fresh MCP server for this request, bound to this connection's Airtable client. */
  async function serve(
    rt: McpRuntime,
    req: Request,
    res: Response,
    body: unknown,
    caller: Caller,
    token: UserTokenRecord | null,
  ): Promise<void> {
    const jsonMode = deps.config.mcpResponseMode !== 'sse';
    // A plain tools/list: the bytes serialised once per process, exactly what the SDK would send
    // (cloud/mcp/tools-list-answer.ts); authentication, scopes and limits ran above as for any call.
    const toolsList = jsonMode ? rt.toolsListAnswer(body, req.headers) : undefined;
    if (toolsList) {
      res.status(200);
      res.setHeader('Content-Type', 'application/json');
      res.setHeader(
        'Content-Length',
        toolsList.reduce((n, b) => n + b.length, 0),
      );
      // Corked: the chunks leave in one write (writev) with the headers.
      res.cork();
      for (const chunk of toolsList.slice(0, -1)) res.write(chunk);
      res.end(toolsList[toolsList.length - 1]);
      res.uncork();
      return;
    }
    const { credential } = caller;
    let prefetched: UserTokenRecord | undefined = token ?? undefined;
    // The token Airtable last saw: after a 401 the grant compares it with the stored one, so a
    // pair another process already rotated is used instead of being refreshed again.
    let lastSent: string | undefined;
    const scopes = token?.credential.scope ? token.credential.scope.split(' ') : [];
    const airtable = new rt.AirtableApi({
      baseUrl: deps.config.airtable.apiBaseUrl,
      send: deps.airtableSend,
      tokens: {
        getAccessToken: async () => {
          // The record read above serves the first call; later calls re-read (it may rotate).
          const first = prefetched;
          prefetched = undefined;
          lastSent = await opts.grant.accessToken(credential, first);
          return lastSent;
        },
        refreshAfterUnauthorized: () =>
          lastSent ? opts.grant.afterUnauthorized(credential, lastSent) : Promise.resolve(null),
      },
      limiter: getAirtableRateLimiter(),
      timeoutMs: deps.config.airtable.timeoutMs,
      rateLimitBudgetMs: deps.config.airtable.rateLimitBudgetMs,
      userKey: credential.userId,
      isPat: token?.credential.kind === 'pat',
      reconnectUrl,
      grantedScopes: scopes,
    });
    const server = rt.createMcpServer(
      {
        airtable,
        user: {
          userId: credential.userId,
          platform: caller.platform,
          kind: token?.credential.kind ?? 'oauth',
          scopes,
          sessionExpiresAt: caller.sessionExpiresAt,
        },
        links: { reconnectUrl },
      },
      { methods: rt.messageMethods(body) },
    );
    const transport = new rt.StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: jsonMode,
    });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  async function handleMcp(req: Request, res: Response): Promise<void> {
    const hostProblem = checkHostAndOrigin(req, deps.config.publicUrl);
    if (hostProblem) return jsonRpcError(res, 403, -32000, hostProblem);
    const publicUrl = publicUrlFor(req, deps.config.publicUrl);
    const caller = await authenticateCaller(req, res, publicUrl);
    if (!caller) return;
    const body = await readBody(req, MCP_BODY_LIMIT);
    const rt = await mcpRuntime.load();
    if (!scopeAllows(rt, res, caller, body, publicUrl)) return;
    const loaded = await loadCredential(rt, res, caller, body, publicUrl);
    if (!loaded) return;
    await serve(rt, req, res, body, caller, loaded.token);
  }

  app.post('/mcp', (req, res) => {
    handleMcp(req, res).catch((err: unknown) => {
      if (err instanceof HttpError) return jsonRpcError(res, err.status, rpcCode(err), err.message);
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
