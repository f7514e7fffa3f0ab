/** delete_webhook: removes a webhook and its payloads (airtable.com/developers/web/api/delete-a-webhook). */
import { z } from 'zod';
import { CHANGES } from '../annotations';
import { defineTool } from '../define-tool';
import { baseIdInput, webhookIdInput } from '../schemas';

export const deleteWebhookTool = defineTool({
  name: 'delete_webhook',
  title: 'Delete webhook',
  description:
    'Deletes a webhook: Airtable stops recording changes for it and its unread payloads are lost. ' +
    'Needs the webhook:manage scope.',
  input: z.object({ baseId: baseIdInput, webhookId: webhookIdInput }),
  output: z.object({ webhookId: z.string(), deleted: z.boolean() }),
  annotations: CHANGES,
  async run(args, ctx, signal) {
    await ctx.airtable.webhooks.delete(args.baseId, args.webhookId, { signal });
    return { data: { webhookId: args.webhookId, deleted: true } };
  },
});
