/** watch_table_changes: a webhook on one table, then a report of what changed since a cursor. */
import { z } from 'zod';
import { definePrompt } from './define-prompt';
import { baseIdArg, tableArg } from './prompt-args';

export const watchTableChangesPrompt = definePrompt({
  name: 'watch_table_changes',
  title: 'Watch a table for changes',
  description:
    'Sets up (or reuses) a webhook on one table and reports the record changes it recorded, with who made them and when; tells you the cursor to resume from next time.',
  args: {
    baseId: baseIdArg,
    table: tableArg,
    cursor: z
      .string()
      .regex(/^[1-9][0-9]{0,15}$/, 'cursor is a positive whole number from a previous report')
      .optional()
      .describe('Optional: the cursor from the previous report, to see only newer changes.'),
  },
  text: ({ baseId, table, cursor }) =>
    [
      `Report the changes to table "${table}" of base ${baseId}.`,
      '',
      `1. Call describe_table (baseId ${baseId}, table "${table}") for the table id and the field names (webhook payloads use ids).`,
      '2. Call list_webhooks and reuse an enabled webhook whose specification watches tableData with recordChangeScope equal to this table id.',
      '3. If there is none, call create_webhook with dataTypes ["tableData"] and recordChangeScope set to the table id (no notificationUrl: we poll). Tell me its macSecretBase64 once, in case I later want pings.',
      `4. Call list_webhook_payloads with that webhookId from cursor ${cursor ?? '1'}, and again with the returned cursor while mightHaveMore is true.`,
      '5. Summarize the changes: records created, changed (which fields, old values when given, new values) and destroyed, with who made them (actionMetadata) and when; use field names, not ids.',
      '6. End with the cursor to resume from next time, and remind me that the webhook stops 7 days after the last poll or refresh_webhook.',
    ].join('\n'),
});
