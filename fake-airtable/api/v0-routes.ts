/**
 * The /v0 Web API: route table, then for every request the URL length limit, authentication,
 * Airtable's rate limits and the handler. Handlers throw ApiError for Airtable-shaped failures.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolvePrincipal } from '../auth/principal';
import type { FakeContext } from '../context';
import { ApiError, BareNotFoundError } from '../http/errors';
import { BodyTooLargeError, sendJson } from '../http/io';
import { uploadAttachment } from './attachment-upload';
import { createBase } from './base-create';
import { listBases } from './bases-list';
import { createComment, deleteComment, listComments, updateComment } from './comments';
import { getRecord, listRecordsGet, listRecordsPost } from './records-read';
import {
  createRecords,
  deleteOneRecord,
  deleteRecords,
  patchRecord,
  patchRecords,
  putRecord,
  putRecords,
} from './records-write';
import type { ApiRequest } from './request';
import {
  createFieldRoute,
  createTableRoute,
  getBaseSchema,
  updateFieldRoute,
  updateTableRoute,
} from './schema-routes';
import {
  createWebhook,
  deleteWebhook,
  listWebhookPayloads,
  listWebhooks,
  refreshWebhook,
} from './webhooks';
import { whoami } from './whoami';

type Handler = (r: ApiRequest) => unknown;
interface Route {
  method: string;
  path: string[];
  family: string;
  handler: Handler;
}

const route = (method: string, path: string, family: string, handler: Handler): Route => ({
  method,
  path: path.split('/'),
  family,
  handler,
});

const ROUTES: Route[] = [
  route('GET', 'meta/whoami', 'whoami', whoami),
  route('GET', 'meta/bases', 'meta.bases', listBases),
  route('POST', 'meta/bases', 'meta.bases.create', createBase),
  route('GET', 'meta/bases/:baseId/tables', 'meta.tables', getBaseSchema),
  route('POST', 'meta/bases/:baseId/tables', 'meta.write', createTableRoute),
  route('PATCH', 'meta/bases/:baseId/tables/:table', 'meta.write', updateTableRoute),
  route('POST', 'meta/bases/:baseId/tables/:table/fields', 'meta.write', createFieldRoute),
  route('PATCH', 'meta/bases/:baseId/tables/:table/fields/:field', 'meta.write', updateFieldRoute),
  // Before the record routes: "bases/app.../webhooks" would also match ":baseId/:table/:recordId".
  route('POST', 'bases/:baseId/webhooks', 'webhooks', createWebhook),
  route('GET', 'bases/:baseId/webhooks', 'webhooks', listWebhooks),
  route('DELETE', 'bases/:baseId/webhooks/:webhookId', 'webhooks', deleteWebhook),
  route('POST', 'bases/:baseId/webhooks/:webhookId/refresh', 'webhooks', refreshWebhook),
  route(
    'GET',
    'bases/:baseId/webhooks/:webhookId/payloads',
    'webhooks.payloads',
    listWebhookPayloads,
  ),
  route('POST', ':baseId/:table/listRecords', 'records.list', listRecordsPost),
  route('GET', ':baseId/:table', 'records.list', listRecordsGet),
  route('POST', ':baseId/:table', 'records.create', createRecords),
  route('PATCH', ':baseId/:table', 'records.update', patchRecords),
  route('PUT', ':baseId/:table', 'records.update', putRecords),
  route('DELETE', ':baseId/:table', 'records.delete', deleteRecords),
  route('GET', ':baseId/:table/:recordId', 'records.get', getRecord),
  route('PATCH', ':baseId/:table/:recordId', 'records.update', patchRecord),
  route('PUT', ':baseId/:table/:recordId', 'records.update', putRecord),
  route('DELETE', ':baseId/:table/:recordId', 'records.delete', deleteOneRecord),
  route('GET', ':baseId/:table/:recordId/comments', 'comments', listComments),
  route('POST', ':baseId/:table/:recordId/comments', 'comments', createComment),
  route('PATCH', ':baseId/:table/:recordId/comments/:commentId', 'comments', updateComment),
  route('DELETE', ':baseId/:table/:recordId/comments/:commentId', 'comments', deleteComment),
];

/** content.airtable.com serves upload-attachment only (the fake mounts it under /content). */
const CONTENT_ROUTES: Route[] = [
  route(
    'POST',
    ':baseId/:recordId/:field/uploadAttachment',
    'attachments.upload',
    uploadAttachment,
  ),
];

/** Airtable refuses URLs over 16,000 characters (list-records: use POST .../listRecords instead). */
export const MAX_URL_LENGTH = 16_000;

function match(
  routes: readonly Route[],
  method: string,
  segments: string[],
): { route: Route; params: Record<string, string> } | undefined {
  for (const r of routes) {
    if (r.method !== method || r.path.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const ok = r.path.every((p, i) => {
      const s = segments[i]!;
      if (p.startsWith(':')) {
        if (p === ':baseId' && i === 0 && s === 'meta') return false;
        params[p.slice(1)] = s;
        return s !== '';
      }
      return p === s;
    });
    if (ok) return { route: r, params };
  }
  return undefined;
}

function rateLimited(): ApiError {
  return new ApiError(429, 'RATE_LIMIT_REACHED', 'Rate limit exceeded. Please try again later');
}

export function handleV0(
  ctx: FakeContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  return serve(ctx, req, res, url, '/v0/', ROUTES);
}

/** The content host's /v0 (upload-attachment), mounted at /content/v0 on the fake. */
export function handleContentV0(
  ctx: FakeContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  return serve(ctx, req, res, url, '/content/v0/', CONTENT_ROUTES);
}

async function serve(
  ctx: FakeContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  prefix: string,
  routes: readonly Route[],
): Promise<void> {
  try {
    if ((req.url ?? '').length > MAX_URL_LENGTH)
      throw new ApiError(
        414,
        'INVALID_REQUEST_URI_TOO_LONG',
        `The URL is longer than ${MAX_URL_LENGTH} characters: send list parameters in the body of POST /v0/{baseId}/{table}/listRecords.`,
      );
    let segments: string[];
    try {
      segments = url.pathname.slice(prefix.length).split('/').map(decodeURIComponent);
    } catch {
      throw new BareNotFoundError();
    }
    const m = match(routes, req.method ?? 'GET', segments);
    ctx.stats.apiRequest(m?.route.family ?? 'unknown', m?.params.baseId);
    if (!m) throw new BareNotFoundError();
    const principal = resolvePrincipal(ctx, req);
    if (ctx.config.rateLimitEnabled) {
      const keys: { key: string; limit: number; reason: 'perBase' | 'perPatUser' }[] = [];
      if (m.params.baseId)
        keys.push({
          key: `base:${m.params.baseId}`,
          limit: ctx.config.perBaseRequestsPerSecond,
          reason: 'perBase',
        });
      if (principal.kind === 'pat')
        keys.push({
          key: `pat-user:${principal.userId}`,
          limit: ctx.config.perPatUserRequestsPerSecond,
          reason: 'perPatUser',
        });
      const decision = ctx.rateLimiter.take(keys, ctx.clock.now(), ctx.config.rateLimitPenaltyMs);
      if (!decision.ok) {
        ctx.stats.rateLimited(decision.reason);
        throw rateLimited();
      }
    }
    const result = await m.route.handler({ ctx, req, url, principal, params: m.params });
    sendJson(res, 200, result);
  } catch (err) {
    if (err instanceof ApiError) return sendJson(res, err.status, err.body());
    if (err instanceof BodyTooLargeError)
      return sendJson(res, 413, {
        error: { type: 'REQUEST_TOO_LARGE', message: 'The request body is too large.' },
      });
    throw err;
  }
}
