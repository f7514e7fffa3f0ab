/**
 * The Webhooks API (airtable.com/developers/web/api/webhooks-overview): create, list, refresh,
 * delete, and list payloads. `webhook:manage` is required for all of them; creating and listing
 * payloads also need the scopes of the watched data types (data.records:read for tableData,
 * schema.bases:read for tableFields and tableMetadata). Same 5 requests/s per base as the rest of
 * the API, so the same limiter. Reads (list, payloads) and refresh (which only moves the expiry
 * to now + 7 days) are safe to repeat; create and delete are not retried.
 */
import type { AirtableScope } from './api-errors';
import { v0 } from './api-path';
import type { AirtableRequester, CallOptions, RequestSpec } from './api-request';
import {
  CreateWebhookResponseSchema,
  EmptyResponseSchema,
  ListWebhooksResponseSchema,
  RefreshWebhookResponseSchema,
  WebhookPayloadsResponseSchema,
  type AirtableWebhook,
  type CreatedWebhook,
  type WebhookPayloadsPage,
  type WebhookSpecification,
} from './webhook-schemas';

const MANAGE: AirtableScope = 'webhook:manage';

/** Airtable returns at most 50 payloads per request (list-webhook-payloads, `limit`). */
export const MAX_PAYLOADS_PER_REQUEST = 50;

export class AirtableWebhooksApi {
  constructor(private readonly http: AirtableRequester) {}

  private call<T>(spec: RequestSpec<T>, o: CallOptions | undefined): Promise<T> {
    return this.http.request(o?.signal ? { ...spec, signal: o.signal } : spec);
  }

  /** POST /v0/bases/{baseId}/webhooks: the id, the MAC secret (shown once) and the expiry. */
  create(
    baseId: string,
    body: { notificationUrl?: string; specification: WebhookSpecification },
    o?: CallOptions,
  ): Promise<CreatedWebhook> {
    return this.call(
      {
        method: 'POST',
        path: v0('bases', baseId, 'webhooks'),
        body,
        schema: CreateWebhookResponseSchema,
        idempotent: false,
        baseId,
        requiredScope: MANAGE,
      },
      o,
    );
  }

  /** GET /v0/bases/{baseId}/webhooks (an OAuth integration sees only its own). */
  async list(baseId: string, o?: CallOptions): Promise<AirtableWebhook[]> {
    const res = await this.call(
      {
        method: 'GET',
        path: v0('bases', baseId, 'webhooks'),
        schema: ListWebhooksResponseSchema,
        idempotent: true,
        baseId,
        requiredScope: MANAGE,
      },
      o,
    );
    return res.webhooks;
  }

  /** POST .../webhooks/{webhookId}/refresh: the new expiry (7 days from now). */
  async refresh(baseId: string, webhookId: string, o?: CallOptions): Promise<string | null> {
    const res = await this.call(
      {
        method: 'POST',
        path: v0('bases', baseId, 'webhooks', webhookId, 'refresh'),
        schema: RefreshWebhookResponseSchema,
        // Repeating it only sets the same kind of expiry again.
        idempotent: true,
        baseId,
        requiredScope: MANAGE,
      },
      o,
    );
    return res.expirationTime;
  }

  /** DELETE .../webhooks/{webhookId} */
  async delete(baseId: string, webhookId: string, o?: CallOptions): Promise<void> {
    await this.call(
      {
        method: 'DELETE',
        path: v0('bases', baseId, 'webhooks', webhookId),
        schema: EmptyResponseSchema,
        idempotent: false,
        baseId,
        requiredScope: MANAGE,
      },
      o,
    );
  }

  /** GET .../webhooks/{webhookId}/payloads?cursor=&limit= (also extends the webhook's life). */
  payloads(
    baseId: string,
    webhookId: string,
    params: { cursor?: number; limit?: number } = {},
    o?: CallOptions,
  ): Promise<WebhookPayloadsPage> {
    const query = new URLSearchParams();
    if (params.cursor !== undefined) query.set('cursor', String(params.cursor));
    if (params.limit !== undefined) query.set('limit', String(params.limit));
    return this.call(
      {
        method: 'GET',
        path: v0('bases', baseId, 'webhooks', webhookId, 'payloads'),
        query,
        schema: WebhookPayloadsResponseSchema,
        idempotent: true,
        baseId,
        requiredScope: MANAGE,
      },
      o,
    );
  }
}
