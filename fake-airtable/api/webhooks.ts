/**
 * The Webhooks API (airtable.com/developers/web/api/webhooks-overview):
 * - `webhook:manage` for every endpoint; create and list-payloads also need the data types'
 *   scopes (data.records:read for tableData, schema.bases:read for tableFields/tableMetadata).
 * - create and refresh need "create" (creator) permission on the base, as does delete; list and
 *   payloads need "read".
 * - At most 10 webhooks per base, at most 2 per OAuth integration per base; an OAuth integration
 *   sees and manages only its own webhooks.
 * - Expiry, afterlife and payload retention: ../webhooks/lifecycle.ts. Refresh only works on an
 *   enabled webhook. Listing payloads of an enabled webhook also extends it by 7 days.
 * - Payload cursors start at 1 and never go back; `limit` is 1-50.
 * Error types for the limits and for refreshing a disabled webhook are not documented by Airtable:
 * the ones below are the fake's (UNVERIFIED).
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { accessBase, requireScope, type Principal } from '../auth/principal';
import { ApiError } from '../http/errors';
import { newId } from '../ids';
import type { Base, Scope, Webhook, WebhookSpecification } from '../state/model';
import {
  isEnabled,
  MAX_WEBHOOKS_PER_BASE,
  MAX_WEBHOOKS_PER_INTEGRATION_IN_BASE,
  sweepWebhooks,
  WEBHOOK_LIFETIME_MS,
} from '../webhooks/lifecycle';
import { jsonBody, onlyQueryParams, parseWith, type ApiRequest } from './request';

const DATA_TYPES = ['tableData', 'tableFields', 'tableMetadata'] as const;

const specificationSchema = z.strictObject({
  options: z.strictObject({
    filters: z.strictObject({
      dataTypes: z.array(z.enum(DATA_TYPES)).min(1),
      recordChangeScope: z.string().optional(),
      changeTypes: z.array(z.enum(['add', 'remove', 'update'])).optional(),
      fromSources: z.array(z.string().regex(/^[A-Za-z]+$/)).optional(),
      watchDataInFieldIds: z.array(z.string()).optional(),
      watchSchemasOfFieldIds: z.array(z.string()).optional(),
      sourceOptions: z.record(z.string(), z.unknown()).optional(),
    }),
    includes: z
      .strictObject({
        includeCellValuesInFieldIds: z.union([z.array(z.string()), z.literal('all')]).optional(),
        includePreviousCellValues: z.boolean().optional(),
        includePreviousFieldDefinitions: z.boolean().optional(),
      })
      .optional(),
  }),
});

const createBody = z.strictObject({
  notificationUrl: z
    .string()
    .regex(/^https?:\/\/\S+$/, 'notificationUrl must be an http(s) URL')
    .nullable()
    .optional(),
  specification: specificationSchema,
});

/** The scopes a specification's data types need (webhooks-overview, "Authorization"). */
function dataScopes(spec: WebhookSpecification): Scope[] {
  const types = spec.options.filters.dataTypes;
  const scopes: Scope[] = [];
  if (types.includes('tableData')) scopes.push('data.records:read');
  if (types.includes('tableFields') || types.includes('tableMetadata'))
    scopes.push('schema.bases:read');
  return scopes;
}

function webhookBase(r: ApiRequest, needed: 'read' | 'create'): Base {
  requireScope(r.principal, 'webhook:manage');
  sweepWebhooks(r.ctx);
  return accessBase(r.ctx, r.principal, r.params.baseId!, needed);
}

/** Webhooks of the base this caller may see: an OAuth integration only its own. */
function visible(r: ApiRequest, base: Base): Webhook[] {
  return [...r.ctx.store.webhooks.values()].filter(
    (h) =>
      h.baseId === base.id && (r.principal.kind === 'pat' || h.clientId === r.principal.clientId),
  );
}

function hookOrThrow(r: ApiRequest, base: Base): Webhook {
  const hook = visible(r, base).find((h) => h.id === r.params.webhookId);
  if (!hook) throw new ApiError(404, 'NOT_FOUND', `Could not find webhook ${r.params.webhookId}`);
  return hook;
}

/** recordChangeScope and watched field ids must name this base's tables, views and fields. */
function checkReferences(base: Base, spec: WebhookSpecification): void {
  const f = spec.options.filters;
  const scope = f.recordChangeScope;
  const table = scope
    ? base.tables.find((t) => t.id === scope || t.views.some((v) => v.id === scope))
    : undefined;
  if (scope !== undefined && !table)
    throw new ApiError(
      422,
      'INVALID_REQUEST_UNKNOWN',
      `recordChangeScope "${scope}" is not a table or view id of this base (names are not accepted)`,
    );
  const fields = (table ? [table] : base.tables).flatMap((t) => t.fields.map((x) => x.id));
  for (const id of [...(f.watchDataInFieldIds ?? []), ...(f.watchSchemasOfFieldIds ?? [])])
    if (!fields.includes(id))
      throw new ApiError(
        422,
        'INVALID_REQUEST_UNKNOWN',
        `"${id}" is not a field id of ${table ? `table ${table.id}` : 'this base'}`,
      );
}

function checkLimits(r: ApiRequest, base: Base, p: Principal): void {
  const all = [...r.ctx.store.webhooks.values()].filter((h) => h.baseId === base.id);
  if (all.length >= MAX_WEBHOOKS_PER_BASE)
    throw new ApiError(
      422,
      'TOO_MANY_WEBHOOKS',
      `A base can have at most ${MAX_WEBHOOKS_PER_BASE} webhooks; delete one first.`,
    );
  if (
    p.kind === 'oauth' &&
    all.filter((h) => h.clientId === p.clientId).length >= MAX_WEBHOOKS_PER_INTEGRATION_IN_BASE
  )
    throw new ApiError(
      422,
      'TOO_MANY_WEBHOOKS',
      `An OAuth integration can create at most ${MAX_WEBHOOKS_PER_INTEGRATION_IN_BASE} webhooks per base.`,
    );
}

function webhookModel(hook: Webhook, now: number) {
  return {
    id: hook.id,
    areNotificationsEnabled: hook.notificationUrl !== null,
    cursorForNextPayload: hook.cursorForNextPayload,
    isHookEnabled: isEnabled(hook, now),
    lastNotificationResult: null,
    lastSuccessfulNotificationTime: null,
    notificationUrl: hook.notificationUrl,
    expirationTime: new Date(hook.expirationTime).toISOString(),
    specification: hook.specification,
  };
}

export async function createWebhook(r: ApiRequest): Promise<unknown> {
  onlyQueryParams(r.url, /^$/);
  const base = webhookBase(r, 'create');
  const body = parseWith(createBody, await jsonBody(r));
  const spec: WebhookSpecification = body.specification;
  for (const scope of dataScopes(spec)) requireScope(r.principal, scope);
  checkReferences(base, spec);
  checkLimits(r, base, r.principal);
  const now = r.ctx.clock.now();
  const hook: Webhook = {
    id: newId('ach'),
    baseId: base.id,
    clientId: r.principal.kind === 'oauth' ? (r.principal.clientId ?? null) : null,
    notificationUrl: body.notificationUrl ?? null,
    specification: spec,
    macSecretBase64: randomBytes(32).toString('base64'),
    createdTime: now,
    expirationTime: now + WEBHOOK_LIFETIME_MS,
    cursorForNextPayload: 1,
    payloads: [],
  };
  r.ctx.store.webhooks.set(hook.id, hook);
  return {
    id: hook.id,
    macSecretBase64: hook.macSecretBase64,
    expirationTime: new Date(hook.expirationTime).toISOString(),
  };
}

export function listWebhooks(r: ApiRequest): unknown {
  onlyQueryParams(r.url, /^$/);
  const base = webhookBase(r, 'read');
  const now = r.ctx.clock.now();
  return { webhooks: visible(r, base).map((h) => webhookModel(h, now)) };
}

export function refreshWebhook(r: ApiRequest): unknown {
  onlyQueryParams(r.url, /^$/);
  const base = webhookBase(r, 'create');
  const hook = hookOrThrow(r, base);
  const now = r.ctx.clock.now();
  if (!isEnabled(hook, now))
    throw new ApiError(
      422,
      'CANNOT_REFRESH_DISABLED_WEBHOOK',
      'Only an enabled webhook can be refreshed; this one expired. Create a new webhook.',
    );
  hook.expirationTime = now + WEBHOOK_LIFETIME_MS;
  return { expirationTime: new Date(hook.expirationTime).toISOString() };
}

export function deleteWebhook(r: ApiRequest): unknown {
  onlyQueryParams(r.url, /^$/);
  const base = webhookBase(r, 'create');
  const hook = hookOrThrow(r, base);
  r.ctx.store.webhooks.delete(hook.id);
  return {};
}

const intParam = (
  raw: string | null,
  name: string,
  min: number,
  max: number,
): number | undefined => {
  if (raw === null) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max)
    throw new ApiError(
      422,
      'INVALID_REQUEST_UNKNOWN',
      `${name} must be an integer from ${min} to ${max}`,
    );
  return n;
};

export function listWebhookPayloads(r: ApiRequest): unknown {
  onlyQueryParams(r.url, /^(cursor|limit)$/);
  const base = webhookBase(r, 'read');
  const hook = hookOrThrow(r, base);
  for (const scope of dataScopes(hook.specification)) requireScope(r.principal, scope);
  const cursor =
    intParam(r.url.searchParams.get('cursor'), 'cursor', 1, Number.MAX_SAFE_INTEGER) ?? 1;
  const limit = intParam(r.url.searchParams.get('limit'), 'limit', 1, 50) ?? 50;
  const now = r.ctx.clock.now();
  if (isEnabled(hook, now)) hook.expirationTime = now + WEBHOOK_LIFETIME_MS;
  const pending = hook.payloads.filter((p) => p.number >= cursor);
  const page = pending.slice(0, limit);
  const last = page[page.length - 1];
  return {
    payloads: page.map((p) => p.body),
    // The payload after the last one returned; the request's cursor when none was returned.
    cursor: last ? last.number + 1 : cursor,
    mightHaveMore: pending.length > page.length,
  };
}
