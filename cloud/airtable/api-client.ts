/**
 * The only code that talks to Airtable's Web API (airtable.com/developers/web/api/introduction).
 * One instance per MCP request, built for one user from that user's token source; the rate
 * limiter it is given is shared by the whole process. Each method is one endpoint; list methods
 * return one page except listBases, which follows offsets. Writes take at most 10 records, as
 * Airtable does: callers split (see cloud/mcp/batching.ts).
 */
import type { z } from 'zod';
import { AirtableAttachmentsApi } from './api-attachments';
import type { AirtableScope } from './api-errors';
import { v0 } from './api-path';
import {
  AirtableRequester,
  type AirtableTokenSource,
  type CallOptions,
  type RequestSpec,
} from './api-request';
import {
  BaseSchemaResponseSchema,
  CommentSchema,
  CreateBaseResponseSchema,
  DeletedCommentSchema,
  DeleteRecordsResponseSchema,
  FieldModelSchema,
  ListBasesResponseSchema,
  ListCommentsResponseSchema,
  ListRecordsResponseSchema,
  RecordSchema,
  RecordsResponseSchema,
  TableModelSchema,
  UpsertResponseSchema,
  WhoamiSchema,
  type AirtableComment,
  type AirtableRecord,
  type BaseSummary,
  type FieldModel,
  type FieldSpec,
  type ListRecordsParams,
  type NewRecord,
  type RecordsPage,
  type RecordUpdate,
  type TableModel,
  type UpsertRecord,
  type Whoami,
} from './api-schemas';
import { AirtableWebhooksApi } from './api-webhooks';
import { fetchSender, sharedNodeHttpSender, type AirtableSend } from './http-sender';
import type { AirtableRateLimiter } from './rate-limiter';

export type { AirtableTokenSource } from './api-request';

export interface AirtableApiOptions {
  /** AIRTABLE_API_BASE_URL, e.g. https://api.airtable.com; paths are /v0/... */
  baseUrl: string;
  /** How requests are sent; default: one keep-alive node:http sender per process (http-sender.ts). */
  send?: AirtableSend;
  /** Or a fetch to send them with (tests' scripted stubs); `send` wins when both are given. */
  fetch?: typeof fetch;
  tokens: AirtableTokenSource;
  limiter: AirtableRateLimiter;
  /** Stable key of this user (Airtable user id) for the per-user PAT limit. */
  userKey: string;
  isPat: boolean;
  /** Per attempt; default 30 s. */
  timeoutMs?: number;
  /** Longest total wait for rate limits (429 and our own limiter) per request; default 35 s. */
  rateLimitBudgetMs?: number;
  /** Retries for idempotent calls on network errors and 5xx; default 2. */
  maxRetries?: number;
  /** First back-off step; default 300 ms (full jitter, doubling). */
  retryBaseDelayMs?: number;
  /** Where the user signs in again; used in error hints. */
  reconnectUrl?: string;
  /** OAuth scopes the user granted; lets 403 hints name a missing scope. */
  grantedScopes?: readonly string[];
}

export type { CallOptions } from './api-request';

/** Airtable's limit per write request (airtable.com/developers/web/api/create-records). */
export const MAX_RECORDS_PER_WRITE = 10;
/** Airtable rejects list-records URLs longer than this; POST listRecords takes the same params. */
export const MAX_GET_URL_LENGTH = 16_000;
/** listBases stops after this many pages (1000 bases each): a guard against a looping offset. */
const MAX_BASE_PAGES = 100;

const READ: AirtableScope = 'data.records:read';
const WRITE: AirtableScope = 'data.records:write';
const SCHEMA_READ: AirtableScope = 'schema.bases:read';
const SCHEMA_WRITE: AirtableScope = 'schema.bases:write';

function page<T>(items: T[], offset: string | null | undefined): { items: T[]; offset?: string } {
  return offset ? { items, offset } : { items };
}

function assertBatch(count: number, what: string): void {
  if (count < 1 || count > MAX_RECORDS_PER_WRITE) {
    throw new RangeError(`${what} takes 1 to ${MAX_RECORDS_PER_WRITE} records, got ${count}`);
  }
}

export class AirtableApi {
  private readonly http: AirtableRequester;
  /** Webhook endpoints (api-webhooks.ts). */
  readonly webhooks: AirtableWebhooksApi;
  /** upload-attachment on the content host (api-attachments.ts). */
  readonly attachments: AirtableAttachmentsApi;

  constructor(opts: AirtableApiOptions) {
    this.http = new AirtableRequester({
      baseUrl: opts.baseUrl.replace(/\/+$/, ''),
      send: opts.send ?? (opts.fetch ? fetchSender(opts.fetch) : sharedNodeHttpSender()),
      tokens: opts.tokens,
      limiter: opts.limiter,
      userKey: opts.userKey,
      isPat: opts.isPat,
      timeoutMs: opts.timeoutMs ?? 30_000,
      rateLimitBudgetMs: opts.rateLimitBudgetMs ?? 35_000,
      maxRetries: opts.maxRetries ?? 2,
      retryBaseDelayMs: opts.retryBaseDelayMs ?? 300,
      hintContext: {
        isPat: opts.isPat,
        ...(opts.reconnectUrl ? { reconnectUrl: opts.reconnectUrl } : {}),
        ...(opts.grantedScopes ? { grantedScopes: opts.grantedScopes } : {}),
      },
    });
    this.webhooks = new AirtableWebhooksApi(this.http);
    this.attachments = new AirtableAttachmentsApi(this.http);
  }

  private call<T>(spec: RequestSpec<T>, o: CallOptions | undefined): Promise<T> {
    return this.http.request(o?.signal ? { ...spec, signal: o.signal } : spec);
  }

  private get<T>(
    path: string,
    schema: z.ZodType<T>,
    x: { baseId?: string; scope?: AirtableScope; query?: URLSearchParams },
    o?: CallOptions,
  ): Promise<T> {
    return this.call(
      {
        method: 'GET',
        path,
        schema,
        idempotent: true,
        ...(x.query ? { query: x.query } : {}),
        ...(x.baseId ? { baseId: x.baseId } : {}),
        ...(x.scope ? { requiredScope: x.scope } : {}),
      },
      o,
    );
  }

  private send<T>(
    method: 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    path: string,
    schema: z.ZodType<T>,
    x: { baseId: string; scope: AirtableScope; body?: unknown; query?: URLSearchParams },
    o?: CallOptions,
  ): Promise<T> {
    return this.call(
      {
        method,
        path,
        schema,
        idempotent: false,
        baseId: x.baseId,
        requiredScope: x.scope,
        ...(x.body !== undefined ? { body: x.body } : {}),
        ...(x.query ? { query: x.query } : {}),
      },
      o,
    );
  }

  /** GET /v0/meta/whoami: user id, email (with user.email:read), scopes (OAuth only). No scope needed. */
  whoami(o?: CallOptions): Promise<Whoami> {
    return this.get(v0('meta', 'whoami'), WhoamiSchema, {}, o);
  }

  /** GET /v0/meta/bases, following offsets: every base this token can see. */
  async listBases(o?: CallOptions): Promise<BaseSummary[]> {
    const all: BaseSummary[] = [];
    let offset: string | undefined;
    for (let i = 0; i < MAX_BASE_PAGES; i++) {
      const query = offset ? new URLSearchParams({ offset }) : undefined;
      const res = await this.get(
        v0('meta', 'bases'),
        ListBasesResponseSchema,
        { scope: SCHEMA_READ, ...(query ? { query } : {}) },
        o,
      );
      all.push(...res.bases);
      if (!res.offset) break;
      offset = res.offset;
    }
    return all;
  }

  /** GET /v0/meta/bases/{baseId}/tables: tables with fields and views. */
  async getBaseSchema(
    baseId: string,
    opts: { includeVisibleFieldIds?: boolean } = {},
    o?: CallOptions,
  ): Promise<TableModel[]> {
    const query = opts.includeVisibleFieldIds
      ? new URLSearchParams([['include[]', 'visibleFieldIds']])
      : undefined;
    const res = await this.get(
      v0('meta', 'bases', baseId, 'tables'),
      BaseSchemaResponseSchema,
      { baseId, scope: SCHEMA_READ, ...(query ? { query } : {}) },
      o,
    );
    return res.tables;
  }

  /**
   * One page of GET /v0/{baseId}/{table}; when that URL would pass 16,000 characters (long
   * formulas, many fields) the same parameters go as JSON to POST .../listRecords
   * (airtable.com/developers/web/api/list-records). Both are reads, so both are retried.
   */
  async listRecords(
    baseId: string,
    table: string,
    params: ListRecordsParams = {},
    o?: CallOptions,
  ): Promise<RecordsPage> {
    const query = listRecordsQuery(params);
    const path = v0(baseId, table);
    const viaPost = this.http.url(path, query).length > MAX_GET_URL_LENGTH;
    const res = await this.call(
      viaPost
        ? {
            method: 'POST',
            path: v0(baseId, table, 'listRecords'),
            body: listRecordsBody(params),
            schema: ListRecordsResponseSchema,
            idempotent: true,
            baseId,
            requiredScope: READ,
          }
        : {
            method: 'GET',
            path,
            query,
            schema: ListRecordsResponseSchema,
            idempotent: true,
            baseId,
            requiredScope: READ,
          },
      o,
    );
    return res.offset ? { records: res.records, offset: res.offset } : { records: res.records };
  }

  /**
   * GET /v0/{baseId}/{table}/{recordId} with cellFormat, timeZone, userLocale and
   * returnFieldsByFieldId (airtable.com/developers/web/api/get-record: no fields[] here).
   */
  getRecord(
    baseId: string,
    table: string,
    recordId: string,
    opts: Pick<
      ListRecordsParams,
      'cellFormat' | 'timeZone' | 'userLocale' | 'returnFieldsByFieldId'
    > = {},
    o?: CallOptions,
  ): Promise<AirtableRecord> {
    const query = listRecordsQuery({
      ...(opts.cellFormat ? { cellFormat: opts.cellFormat } : {}),
      ...(opts.timeZone ? { timeZone: opts.timeZone } : {}),
      ...(opts.userLocale ? { userLocale: opts.userLocale } : {}),
      ...(opts.returnFieldsByFieldId ? { returnFieldsByFieldId: true } : {}),
    });
    return this.get(
      v0(baseId, table, recordId),
      RecordSchema,
      { baseId, scope: READ, ...(query.size > 0 ? { query } : {}) },
      o,
    );
  }

  /** POST /v0/{baseId}/{table} with 1-10 records. */
  async createRecords(
    baseId: string,
    table: string,
    records: NewRecord[],
    opts: { typecast?: boolean } = {},
    o?: CallOptions,
  ): Promise<AirtableRecord[]> {
    assertBatch(records.length, 'createRecords');
    const body = { records: records.map((r) => ({ fields: r.fields })), ...typecast(opts) };
    const res = await this.send(
      'POST',
      v0(baseId, table),
      RecordsResponseSchema,
      { baseId, scope: WRITE, body },
      o,
    );
    return res.records;
  }

  /** PATCH (merge) or PUT (replace: omitted fields are cleared) /v0/{baseId}/{table}, 1-10 records. */
  async updateRecords(
    baseId: string,
    table: string,
    records: RecordUpdate[],
    opts: { typecast?: boolean; replace?: boolean; returnFieldsByFieldId?: boolean } = {},
    o?: CallOptions,
  ): Promise<AirtableRecord[]> {
    assertBatch(records.length, 'updateRecords');
    const body = {
      records: records.map((r) => ({ id: r.id, fields: r.fields })),
      ...typecast(opts),
      ...(opts.returnFieldsByFieldId ? { returnFieldsByFieldId: true } : {}),
    };
    const res = await this.send(
      opts.replace ? 'PUT' : 'PATCH',
      v0(baseId, table),
      RecordsResponseSchema,
      { baseId, scope: WRITE, body },
      o,
    );
    return res.records;
  }

  /**
   * Upsert: PATCH (or PUT) with performUpsert.fieldsToMergeOn; records matching on those fields
   * are updated, the others created (airtable.com/developers/web/api/update-multiple-records).
   */
  upsertRecords(
    baseId: string,
    table: string,
    records: UpsertRecord[],
    opts: { fieldsToMergeOn: string[]; typecast?: boolean; replace?: boolean },
    o?: CallOptions,
  ): Promise<{ records: AirtableRecord[]; createdRecords: string[]; updatedRecords: string[] }> {
    assertBatch(records.length, 'upsertRecords');
    const body = {
      performUpsert: { fieldsToMergeOn: opts.fieldsToMergeOn },
      records: records.map((r) => (r.id ? { id: r.id, fields: r.fields } : { fields: r.fields })),
      ...typecast(opts),
    };
    return this.send(
      opts.replace ? 'PUT' : 'PATCH',
      v0(baseId, table),
      UpsertResponseSchema,
      { baseId, scope: WRITE, body },
      o,
    );
  }

  /** DELETE /v0/{baseId}/{table}?records[]=... with 1-10 ids. */
  async deleteRecords(
    baseId: string,
    table: string,
    recordIds: string[],
    o?: CallOptions,
  ): Promise<{ id: string; deleted: boolean }[]> {
    assertBatch(recordIds.length, 'deleteRecords');
    const query = new URLSearchParams(recordIds.map((id) => ['records[]', id]));
    const res = await this.send(
      'DELETE',
      v0(baseId, table),
      DeleteRecordsResponseSchema,
      { baseId, scope: WRITE, query },
      o,
    );
    return res.records;
  }

  /** POST /v0/meta/bases/{baseId}/tables (airtable.com/developers/web/api/create-table). */
  createTable(
    baseId: string,
    table: { name: string; description?: string; fields: FieldSpec[] },
    o?: CallOptions,
  ): Promise<TableModel> {
    return this.send(
      'POST',
      v0('meta', 'bases', baseId, 'tables'),
      TableModelSchema,
      { baseId, scope: SCHEMA_WRITE, body: table },
      o,
    );
  }

  /**
   * POST /v0/meta/bases (airtable.com/developers/web/api/create-base): a base in a workspace with
   * at least one table; needs schema.bases:write and creator access to the workspace.
   */
  createBase(
    base: {
      name: string;
      workspaceId: string;
      tables: { name: string; description?: string; fields: FieldSpec[] }[];
    },
    o?: CallOptions,
  ): Promise<{ id: string; tables: TableModel[] }> {
    return this.call(
      {
        method: 'POST',
        path: v0('meta', 'bases'),
        body: base,
        schema: CreateBaseResponseSchema,
        idempotent: false,
        requiredScope: SCHEMA_WRITE,
      },
      o,
    );
  }

  /** PATCH /v0/meta/bases/{baseId}/tables/{tableIdOrName}: name and/or description. */
  updateTable(
    baseId: string,
    table: string,
    changes: { name?: string; description?: string },
    o?: CallOptions,
  ): Promise<TableModel> {
    return this.send(
      'PATCH',
      v0('meta', 'bases', baseId, 'tables', table),
      TableModelSchema,
      { baseId, scope: SCHEMA_WRITE, body: changes },
      o,
    );
  }

  /** POST /v0/meta/bases/{baseId}/tables/{tableId}/fields */
  createField(
    baseId: string,
    tableId: string,
    field: FieldSpec,
    o?: CallOptions,
  ): Promise<FieldModel> {
    return this.send(
      'POST',
      v0('meta', 'bases', baseId, 'tables', tableId, 'fields'),
      FieldModelSchema,
      { baseId, scope: SCHEMA_WRITE, body: field },
      o,
    );
  }

  /** PATCH /v0/meta/bases/{baseId}/tables/{tableId}/fields/{fieldId}: name and/or description. */
  updateField(
    baseId: string,
    tableId: string,
    fieldId: string,
    changes: { name?: string; description?: string },
    o?: CallOptions,
  ): Promise<FieldModel> {
    return this.send(
      'PATCH',
      v0('meta', 'bases', baseId, 'tables', tableId, 'fields', fieldId),
      FieldModelSchema,
      { baseId, scope: SCHEMA_WRITE, body: changes },
      o,
    );
  }

  /** One page of GET /v0/{baseId}/{table}/{recordId}/comments (newest first, up to 100). */
  async listComments(
    baseId: string,
    table: string,
    recordId: string,
    params: { pageSize?: number; offset?: string } = {},
    o?: CallOptions,
  ): Promise<{ items: AirtableComment[]; offset?: string }> {
    const query = new URLSearchParams();
    if (params.pageSize !== undefined) query.set('pageSize', String(params.pageSize));
    if (params.offset) query.set('offset', params.offset);
    const res = await this.get(
      v0(baseId, table, recordId, 'comments'),
      ListCommentsResponseSchema,
      { baseId, scope: 'data.recordComments:read', query },
      o,
    );
    return page(res.comments, res.offset);
  }

  /**
   * PATCH /v0/{baseId}/{table}/{recordId}/comments/{commentId}: new text. Airtable lets only the
   * comment's author change it (airtable.com/developers/web/api/update-comment).
   */
  updateComment(
    baseId: string,
    table: string,
    recordId: string,
    commentId: string,
    text: string,
    o?: CallOptions,
  ): Promise<AirtableComment> {
    return this.send(
      'PATCH',
      v0(baseId, table, recordId, 'comments', commentId),
      CommentSchema,
      { baseId, scope: 'data.recordComments:write', body: { text } },
      o,
    );
  }

  /** DELETE .../comments/{commentId} (airtable.com/developers/web/api/delete-comment). */
  deleteComment(
    baseId: string,
    table: string,
    recordId: string,
    commentId: string,
    o?: CallOptions,
  ): Promise<{ id: string; deleted: boolean }> {
    return this.send(
      'DELETE',
      v0(baseId, table, recordId, 'comments', commentId),
      DeletedCommentSchema,
      { baseId, scope: 'data.recordComments:write' },
      o,
    );
  }

  /** POST /v0/{baseId}/{table}/{recordId}/comments */
  createComment(
    baseId: string,
    table: string,
    recordId: string,
    comment: { text: string; parentCommentId?: string },
    o?: CallOptions,
  ): Promise<AirtableComment> {
    return this.send(
      'POST',
      v0(baseId, table, recordId, 'comments'),
      CommentSchema,
      { baseId, scope: 'data.recordComments:write', body: comment },
      o,
    );
  }
}

function typecast(opts: { typecast?: boolean }): { typecast?: true } {
  return opts.typecast ? { typecast: true } : {};
}

/** Query string of list-records: fields[]=, sort[i][field]=, ... (Airtable's bracket syntax). */
export function listRecordsQuery(p: ListRecordsParams): URLSearchParams {
  const q = new URLSearchParams();
  if (p.filterByFormula !== undefined) q.set('filterByFormula', p.filterByFormula);
  p.sort?.forEach((s, i) => {
    q.append(`sort[${i}][field]`, s.field);
    if (s.direction) q.append(`sort[${i}][direction]`, s.direction);
  });
  for (const f of p.fields ?? []) q.append('fields[]', f);
  if (p.view !== undefined) q.set('view', p.view);
  if (p.pageSize !== undefined) q.set('pageSize', String(p.pageSize));
  if (p.offset !== undefined) q.set('offset', p.offset);
  if (p.maxRecords !== undefined) q.set('maxRecords', String(p.maxRecords));
  if (p.cellFormat !== undefined) q.set('cellFormat', p.cellFormat);
  if (p.timeZone !== undefined) q.set('timeZone', p.timeZone);
  if (p.userLocale !== undefined) q.set('userLocale', p.userLocale);
  if (p.returnFieldsByFieldId) q.set('returnFieldsByFieldId', 'true');
  return q;
}

/** JSON body of POST listRecords: the same parameters, sort as objects, fields as an array. */
export function listRecordsBody(p: ListRecordsParams): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) if (v !== undefined) body[k] = v;
  return body;
}
