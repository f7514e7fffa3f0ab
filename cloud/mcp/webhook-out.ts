/** Webhook shapes for tool output (airtable.com/developers/web/api/list-webhooks), nulls left out. */
import { z } from 'zod';
import type { AirtableWebhook } from '../airtable/webhook-schemas';

export const webhookOutput = z.object({
  id: z.string().describe('Webhook id (ach...).'),
  isHookEnabled: z
    .boolean()
    .describe(
      'false once it expired (7 days without refresh_webhook or list_webhook_payloads) or broke.',
    ),
  areNotificationsEnabled: z.boolean().describe('Whether Airtable pings notificationUrl.'),
  notificationUrl: z.string().optional().describe('Where Airtable sends pings; absent: poll only.'),
  cursorForNextPayload: z
    .number()
    .int()
    .describe('The cursor the next payload will get; list_webhook_payloads reads from a cursor.'),
  expirationTime: z.string().optional().describe('When it expires unless refreshed (ISO 8601).'),
  lastSuccessfulNotificationTime: z.string().optional(),
  lastNotificationResult: z.record(z.string(), z.unknown()).optional(),
  specification: z.record(z.string(), z.unknown()).describe('What the webhook watches.'),
});

export function webhookOut(h: AirtableWebhook): z.output<typeof webhookOutput> {
  return {
    id: h.id,
    isHookEnabled: h.isHookEnabled,
    areNotificationsEnabled: h.areNotificationsEnabled,
    ...(h.notificationUrl ? { notificationUrl: h.notificationUrl } : {}),
    cursorForNextPayload: h.cursorForNextPayload,
    ...(h.expirationTime ? { expirationTime: h.expirationTime } : {}),
    ...(h.lastSuccessfulNotificationTime
      ? { lastSuccessfulNotificationTime: h.lastSuccessfulNotificationTime }
      : {}),
    ...(h.lastNotificationResult ? { lastNotificationResult: h.lastNotificationResult } : {}),
    specification: h.specification,
  };
}
