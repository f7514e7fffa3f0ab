/**
 * create_webhook: asks Airtable to record changes of a base (airtable.com/developers/web/api/create-a-webhook,
 * specification: airtable.com/developers/web/api/model/webhooks-specification). Airtable pings
 * the caller's notificationUrl, if any, with only the base and webhook ids; the changes themselves
 * are read by polling list_webhook_payloads with a cursor.
 */
import { z } from 'zod';
import type { WebhookSpecification } from '../../airtable/webhook-schemas';
import { CREATES } from '../annotations';
import { defineTool } from '../define-tool';
import { baseIdInput } from '../schemas';

const airtableId = (prefixes: string, what: string) =>
  z
    .string()
    .regex(
      new RegExp(`^(${prefixes})[A-Za-z0-9]{14}$`),
      `${what} must be an id (${prefixes.split('|').join('... or ')}...), not a name: describe_table and list_views show ids`,
    );

const fieldIds = z.array(airtableId('fld', 'a field')).min(1).max(500);

export const createWebhookTool = defineTool({
  name: 'create_webhook',
  title: 'Create webhook',
  description:
    'Creates a webhook that records changes in a base: record data (tableData), fields (tableFields) or ' +
    'table names and descriptions (tableMetadata), optionally only in one table or view, for some change ' +
    'types, sources or fields. Read the changes by polling list_webhook_payloads (starting at cursor 1). ' +
    'notificationUrl (optional) is an endpoint of yours that Airtable pings when there is something new. ' +
    'Airtable disables the webhook after 7 days unless refresh_webhook or list_webhook_payloads is called. ' +
    'At most 10 webhooks per base (2 per OAuth integration). Needs webhook:manage, plus data.records:read ' +
    'for tableData and schema.bases:read for tableFields or tableMetadata.',
  input: z.object({
    baseId: baseIdInput,
    dataTypes: z
      .array(z.enum(['tableData', 'tableFields', 'tableMetadata']))
      .min(1)
      .max(3)
      .describe(
        'What to watch: tableData = records and cell values; tableFields = field changes; tableMetadata = table name and description.',
      ),
    recordChangeScope: airtableId('tbl|viw', 'recordChangeScope')
      .optional()
      .describe(
        'Only changes in this table or view (its id, tbl... or viw...). Omit for the whole base.',
      ),
    changeTypes: z
      .array(z.enum(['add', 'remove', 'update']))
      .min(1)
      .max(3)
      .optional()
      .describe('Only these kinds of change. Omit for all.'),
    fromSources: z
      .array(
        z
          .string()
          .regex(/^[A-Za-z]+$/, 'a source is a word like client or publicApi')
          .max(50),
      )
      .min(1)
      .max(20)
      .optional()
      .describe(
        'Only changes made from these sources, e.g. client (the Airtable apps), publicApi, formSubmission, automation. Omit for all.',
      ),
    watchDataInFieldIds: fieldIds
      .optional()
      .describe('tableData: only changes to these fields (ids).'),
    watchSchemasOfFieldIds: fieldIds
      .optional()
      .describe('tableFields: only changes to these fields (ids).'),
    includeCellValuesInFieldIds: z
      .union([z.literal('all'), fieldIds])
      .optional()
      .describe(
        'Also send the current values of these fields (or "all") with each changed record.',
      ),
    includePreviousCellValues: z
      .boolean()
      .optional()
      .describe('Also send the values cells had before the change.'),
    includePreviousFieldDefinitions: z
      .boolean()
      .optional()
      .describe('Also send field definitions as they were before a field change.'),
    notificationUrl: z
      .url({ protocol: /^https$/, error: 'notificationUrl must be an https URL' })
      .max(2000)
      .optional()
      .describe(
        'Your https endpoint that Airtable POSTs {base, webhook, timestamp} to when payloads arrive. Omit to poll only.',
      ),
  }),
  output: z.object({
    id: z.string().describe('The webhook id (ach...).'),
    macSecretBase64: z
      .string()
      .describe(
        'Secret to check the X-Airtable-Content-MAC header of pings (HMAC-SHA256). Airtable shows it only now: give it to the user to store.',
      ),
    expirationTime: z.string().optional().describe('When it expires unless refreshed (ISO 8601).'),
    nextStep: z.string().describe('How to read the changes.'),
  }),
  annotations: CREATES,
  async run(args, ctx, signal) {
    const includes = {
      ...(args.includeCellValuesInFieldIds !== undefined
        ? { includeCellValuesInFieldIds: args.includeCellValuesInFieldIds }
        : {}),
      ...(args.includePreviousCellValues !== undefined
        ? { includePreviousCellValues: args.includePreviousCellValues }
        : {}),
      ...(args.includePreviousFieldDefinitions !== undefined
        ? { includePreviousFieldDefinitions: args.includePreviousFieldDefinitions }
        : {}),
    };
    const specification: WebhookSpecification = {
      options: {
        filters: {
          dataTypes: args.dataTypes,
          ...(args.recordChangeScope ? { recordChangeScope: args.recordChangeScope } : {}),
          ...(args.changeTypes ? { changeTypes: args.changeTypes } : {}),
          ...(args.fromSources ? { fromSources: args.fromSources } : {}),
          ...(args.watchDataInFieldIds ? { watchDataInFieldIds: args.watchDataInFieldIds } : {}),
          ...(args.watchSchemasOfFieldIds
            ? { watchSchemasOfFieldIds: args.watchSchemasOfFieldIds }
            : {}),
        },
        ...(Object.keys(includes).length > 0 ? { includes } : {}),
      },
    };
    const hook = await ctx.airtable.webhooks.create(
      args.baseId,
      {
        specification,
        ...(args.notificationUrl ? { notificationUrl: args.notificationUrl } : {}),
      },
      { signal },
    );
    return {
      data: {
        id: hook.id,
        macSecretBase64: hook.macSecretBase64,
        ...(hook.expirationTime ? { expirationTime: hook.expirationTime } : {}),
        nextStep: `Poll list_webhook_payloads with webhookId ${hook.id} from cursor 1, keep the cursor it returns, and call it (or refresh_webhook) at least every 7 days.`,
      },
    };
  },
});
