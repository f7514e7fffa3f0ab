/**
 * Input and output pieces shared by the tools, with descriptions written for the model. Ids are
 * checked for Airtable's shape (three-letter prefix + 14 alphanumerics) so a wrong kind of id is
 * refused with a clear message before any request.
 */
import { z } from 'zod';

const idOf = (prefix: string, what: string, from: string) =>
  z
    .string()
    .regex(
      new RegExp(`^${prefix}[A-Za-z0-9]{14}$`),
      `a ${what} id is "${prefix}" followed by 14 letters or digits; ${from} shows them`,
    );

export const baseIdInput = idOf('app', 'base', 'list_bases').describe(
  'Base id, starting with "app" (from list_bases).',
);

export const tableInput = z
  .string()
  .min(1)
  .max(1000)
  .describe(
    'Table id (starts with "tbl"; preferred, it survives renames) or the exact table name (from list_tables).',
  );

export const recordIdInput = idOf('rec', 'record', 'list_records').describe(
  'Record id, starting with "rec".',
);

export const fieldNameInput = z.string().min(1).max(1000);

export const fieldValuesInput = z
  .record(fieldNameInput, z.unknown())
  .describe(
    'Cell values keyed by field name (or field id). Value formats by field type: text, email, url, phone -> string; ' +
      'number, currency, percent, rating, duration -> number; checkbox -> true/false; singleSelect -> the option name; ' +
      'multipleSelects -> array of option names; multipleRecordLinks -> array of record ids; date -> "YYYY-MM-DD"; ' +
      'dateTime -> ISO 8601; multipleAttachments -> [{"url": "https://..."}]; collaborator -> {"email": "..."}. ' +
      'Computed fields (formula, rollup, lookup, count, autoNumber, createdTime...) cannot be written.',
  );

export const typecastInput = z
  .boolean()
  .default(false)
  .describe(
    'true lets Airtable convert values (e.g. create missing select options, parse "42" into a number). Default false.',
  );

export const recordOutput = z.object({
  id: z.string().describe('Record id (rec...).'),
  createdTime: z.string().describe('When the record was created (ISO 8601).'),
  fields: z
    .record(z.string(), z.unknown())
    .describe(
      'Cell values by field name (by field id with returnFieldsByFieldId); Airtable leaves out empty cells.',
    ),
});

export const noticeOutput = z
  .string()
  .optional()
  .describe('Present when the result was shortened or needs attention; says how to get the rest.');

export const fieldOutput = z.object({
  id: z.string().describe('Field id (fld...).'),
  name: z.string(),
  type: z
    .string()
    .describe(
      'Airtable field type, e.g. singleLineText, number, singleSelect, multipleRecordLinks.',
    ),
  description: z.string().optional(),
  options: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('Type-specific settings, e.g. select choices, number precision, linked table id.'),
});

export const viewOutput = z.object({
  id: z.string().describe('View id (viw...).'),
  name: z.string(),
  type: z.string().describe('grid, form, calendar, gallery, kanban, timeline, block...'),
});

export const recordListOutput = {
  records: z.array(recordOutput),
  offset: z
    .string()
    .optional()
    .describe(
      'Present when more records remain: pass it as offset (with the same other arguments) to continue.',
    ),
  notice: noticeOutput,
};

export const viewInput = z
  .string()
  .min(1)
  .max(1000)
  .describe(
    "View name or id (viw...): only that view's records, in its order and with its filters.",
  );

export const returnFieldsInput = z
  .array(fieldNameInput)
  .max(500)
  .optional()
  .describe('Only return these fields (names or ids). Omit for all non-empty fields.');

export const sortInput = z
  .array(
    z.object({
      field: fieldNameInput.describe('Field name or id to sort by.'),
      direction: z.enum(['asc', 'desc']).default('asc').describe('asc (default) or desc.'),
    }),
  )
  .max(20)
  .optional()
  .describe("Sort order, first entry first; overrides the view's order.");

export const maxRecordsInput = z
  .number()
  .int()
  .min(1)
  .max(1000)
  .default(100)
  .describe('Most records to return in this call (1-1000, default 100). Use offset to get more.');

export const offsetInput = z
  .string()
  .min(1)
  .max(1000)
  .optional()
  .describe('The offset from a previous call of this tool, to continue where it stopped.');

export const fieldSpecShape = {
  name: fieldNameInput.describe('Field name, unique within the table.'),
  type: z
    .string()
    .min(1)
    .max(100)
    .describe(
      'Field type: singleLineText, multilineText, richText, email, url, phoneNumber, number, currency, ' +
        'percent, checkbox, singleSelect, multipleSelects, date, dateTime, duration, rating, ' +
        'multipleRecordLinks, multipleAttachments, singleCollaborator, barcode...',
    ),
  description: z.string().max(20_000).optional().describe('Shown to people in Airtable.'),
  options: z
    .record(z.string(), z.unknown())
    .optional()
    .describe(
      'Type settings, required for some types. number/percent: {"precision": 0-8}; currency: ' +
        '{"precision": 2, "symbol": "$"}; singleSelect/multipleSelects: {"choices": [{"name": "Open"}]}; ' +
        'date: {"dateFormat": {"name": "iso"}}; dateTime: {"dateFormat": {"name": "iso"}, "timeFormat": ' +
        '{"name": "24hour"}, "timeZone": "utc"}; checkbox: {"icon": "check", "color": "greenBright"}; ' +
        'rating: {"max": 5, "icon": "star", "color": "yellowBright"}; multipleRecordLinks: {"linkedTableId": "tbl..."}.',
    ),
};

export const descriptionChangeInput = z
  .string()
  .max(20_000)
  .optional()
  .describe('New description; an empty string removes it.');

export const commentOutput = z.object({
  id: z.string().describe('Comment id (com...).'),
  text: z.string().describe('Comment text; mentions appear as @[usr...] in the raw text.'),
  createdTime: z.string(),
  lastUpdatedTime: z.string().optional(),
  parentCommentId: z.string().optional().describe('Set when this comment replies to another.'),
  author: z.object({
    id: z.string().describe('User id (usr...).'),
    email: z.string().optional(),
    name: z.string().optional(),
  }),
});

export const commentIdInput = idOf('com', 'comment', 'list_comments').describe(
  'Comment id, starting with "com" (from list_comments).',
);

export const webhookIdInput = idOf('ach', 'webhook', 'list_webhooks').describe(
  'Webhook id, starting with "ach" (from create_webhook or list_webhooks).',
);

export const workspaceIdInput = idOf(
  'wsp',
  'workspace',
  "the workspace's address in Airtable (airtable.com/workspaces/wsp...)",
).describe(
  'Workspace id, starting with "wsp": open the workspace in Airtable, it is in the address bar.',
);

/** True for an Airtable field id (fld + 14), as opposed to a field name. */
export function isFieldId(s: string): boolean {
  return /^fld[A-Za-z0-9]{14}$/.test(s);
}
/** Where a list that did not fit in one answer continues (a position in it). */
export const positionInput = (what: string) =>
  z
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .default(0)
    .describe(`Skip this many ${what}: pass the nextOffset of the previous answer to continue.`);

export const nextPositionOutput = (what: string) =>
  z
    .number()
    .int()
    .optional()
    .describe(`Present when more ${what} remain: call again with offset set to this.`);
