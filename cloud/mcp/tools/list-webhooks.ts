/** list_webhooks: a base's webhooks with their state, expiry and next payload cursor. */
import { z } from 'zod';
import { READS } from '../annotations';
import { defineTool } from '../define-tool';
import { baseIdInput } from '../schemas';
import { webhookOut, webhookOutput } from '../webhook-out';

export const listWebhooksTool = defineTool({
  name: 'list_webhooks',
  title: 'List webhooks',
  description:
    "Lists a base's webhooks: what each watches, whether it is enabled, when it expires and the cursor of " +
    'its next payload. With an OAuth connection Airtable shows only the webhooks this integration created. ' +
    'Needs the webhook:manage scope.',
  input: z.object({ baseId: baseIdInput }),
  output: z.object({ baseId: z.string(), webhooks: z.array(webhookOutput) }),
  annotations: READS,
  async run(args, ctx, signal) {
    const hooks = await ctx.airtable.webhooks.list(args.baseId, { signal });
    return { data: { baseId: args.baseId, webhooks: hooks.map(webhookOut) } };
  },
});
