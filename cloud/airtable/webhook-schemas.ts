/**
 * zod schemas of the Webhooks API answers (airtable.com/developers/web/api/webhooks-overview and
 * the endpoint pages cited below). Payloads are passed through as Airtable sends them (their shape
 * depends on the specification: airtable.com/developers/web/api/model/webhooks-payload); only
 * the envelope is checked.
 */
import { z } from 'zod';

/** airtable.com/developers/web/api/create-a-webhook */
export const CreateWebhookResponseSchema = z.object({
  id: z.string(),
  macSecretBase64: z.string(),
  expirationTime: z.string().nullish(),
});
export type CreatedWebhook = z.infer<typeof CreateWebhookResponseSchema>;

/** airtable.com/developers/web/api/list-webhooks */
export const WebhookSchema = z.object({
  id: z.string(),
  areNotificationsEnabled: z.boolean(),
  cursorForNextPayload: z.number().int(),
  isHookEnabled: z.boolean(),
  lastSuccessfulNotificationTime: z.string().nullish(),
  notificationUrl: z.string().nullish(),
  expirationTime: z.string().nullish(),
  lastNotificationResult: z.record(z.string(), z.unknown()).nullish(),
  specification: z.record(z.string(), z.unknown()),
});
export type AirtableWebhook = z.infer<typeof WebhookSchema>;

export const ListWebhooksResponseSchema = z.object({ webhooks: z.array(WebhookSchema) });

/** airtable.com/developers/web/api/refresh-a-webhook */
export const RefreshWebhookResponseSchema = z.object({ expirationTime: z.string().nullable() });

/** airtable.com/developers/web/api/delete-a-webhook answers an empty object. */
export const EmptyResponseSchema = z.object({});

/** airtable.com/developers/web/api/list-webhook-payloads */
export const WebhookPayloadsResponseSchema = z.object({
  cursor: z.number().int(),
  mightHaveMore: z.boolean(),
  payloads: z.array(z.record(z.string(), z.unknown())),
});
export type WebhookPayloadsPage = z.infer<typeof WebhookPayloadsResponseSchema>;

/** The specification sent to create-a-webhook (airtable.com/developers/web/api/model/webhooks-specification). */
export interface WebhookSpecification {
  options: {
    filters: {
      dataTypes: ('tableData' | 'tableFields' | 'tableMetadata')[];
      recordChangeScope?: string;
      changeTypes?: ('add' | 'remove' | 'update')[];
      fromSources?: string[];
      watchDataInFieldIds?: string[];
      watchSchemasOfFieldIds?: string[];
    };
    includes?: {
      includeCellValuesInFieldIds?: string[] | 'all';
      includePreviousCellValues?: boolean;
      includePreviousFieldDefinitions?: boolean;
    };
  };
}
