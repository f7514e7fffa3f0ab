/** refresh_webhook: pushes a webhook's expiry to 7 days from now (airtable.com/developers/web/api/refresh-a-webhook). */
import { z } from 'zod';
import { UPKEEP } from '../annotations';
import { defineTool } from '../define-tool';
import { baseIdInput, webhookIdInput } from '../schemas';

export const refreshWebhookTool = defineTool({
  name: 'refresh_webhook',
  title: 'Refresh webhook',
  description:
    'Extends a webhook so it expires 7 days from now (Airtable disables webhooks 7 days after creation or ' +
    'the last refresh; list_webhook_payloads also extends them). Only an enabled webhook can be refreshed: ' +
    'an expired one must be created again. Needs the webhook:manage scope.',
  input: z.object({ baseId: baseIdInput, webhookId: webhookIdInput }),
  output: z.object({
    webhookId: z.string(),
    expirationTime: z
      .string()
      .optional()
      .describe('The new expiry (ISO 8601); absent when the webhook does not expire.'),
  }),
  annotations: UPKEEP,
  async run(args, ctx, signal) {
    const expirationTime = await ctx.airtable.webhooks.refresh(args.baseId, args.webhookId, {
      signal,
    });
    return { data: { webhookId: args.webhookId, ...(expirationTime ? { expirationTime } : {}) } };
  },
});
