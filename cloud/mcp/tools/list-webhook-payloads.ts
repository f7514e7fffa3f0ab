/**
 * list_webhook_payloads: the changes a webhook recorded, from a cursor
 * (airtable.com/developers/web/api/list-webhook-payloads). Payload n has transaction number n;
 * Airtable's answer cursor is the number after the last payload returned. Payloads are kept one
 * week. A result over the size budget is cut at a payload boundary and the cursor returned is
 * that of the first payload left out, so nothing is skipped.
 */
import { z } from 'zod';
import { MAX_PAYLOADS_PER_REQUEST } from '../../airtable/api-webhooks';
import { READS } from '../annotations';
import { defineTool } from '../define-tool';
import { fittingPrefix, itemsBudget, maxResultChars } from '../result-size';
import { baseIdInput, noticeOutput, webhookIdInput } from '../schemas';

export const listWebhookPayloadsTool = defineTool({
  name: 'list_webhook_payloads',
  title: 'List webhook payloads',
  description:
    'Reads the changes a webhook recorded (records created, changed or destroyed, field and table changes), ' +
    'oldest first, from a cursor: start at 1, then pass the cursor this tool returns. mightHaveMore says ' +
    'whether to call again now. Airtable keeps payloads for 7 days, and each call also extends an enabled ' +
    'webhook by 7 days. This is how notifications are consumed: Airtable pings only carry ids. Needs ' +
    'webhook:manage plus the scopes of the watched data (data.records:read, schema.bases:read).',
  input: z.object({
    baseId: baseIdInput,
    webhookId: webhookIdInput,
    cursor: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        'Transaction number to start from: 1 the first time, then the cursor returned last time.',
      ),
    limit: z
      .number()
      .int()
      .min(1)
      .max(MAX_PAYLOADS_PER_REQUEST)
      .default(MAX_PAYLOADS_PER_REQUEST)
      .describe('Most payloads to return (1-50, default 50); one payload may hold many changes.'),
  }),
  output: z.object({
    payloads: z
      .array(z.record(z.string(), z.unknown()))
      .describe(
        'Each: timestamp, baseTransactionNumber, actionMetadata (source, user), changedTablesById (created/changed/destroyed records, fields, metadata) and more.',
      ),
    cursor: z.number().int().describe('Pass it as cursor next time (keep it between sessions).'),
    mightHaveMore: z.boolean().describe('true: more payloads are waiting; call again with cursor.'),
    notice: noticeOutput,
  }),
  annotations: READS,
  async run(args, ctx, signal) {
    const page = await ctx.airtable.webhooks.payloads(
      args.baseId,
      args.webhookId,
      { ...(args.cursor !== undefined ? { cursor: args.cursor } : {}), limit: args.limit },
      { signal },
    );
    const max = maxResultChars(ctx);
    const fit = fittingPrefix(page.payloads, 0, itemsBudget(max));
    if (fit.items.length === page.payloads.length)
      return {
        data: { payloads: page.payloads, cursor: page.cursor, mightHaveMore: page.mightHaveMore },
      };
    // Payload i of n has number cursor - (n - i): continue at the first one left out.
    const cursor = page.cursor - (page.payloads.length - fit.items.length);
    const notice =
      fit.items.length === 0
        ? `One payload is larger than ${max} characters and cannot be shown; call again with cursor ${cursor + 1} to skip it.`
        : `Showing ${fit.items.length} of ${page.payloads.length} payloads (result size limit); call again with cursor ${cursor}.`;
    return {
      data: { payloads: fit.items, cursor, mightHaveMore: true, notice },
      notice,
    };
  },
});
