/** search_records: case-insensitive text search across a table's text fields. */
import { z } from 'zod';
import { AirtableApiError } from '../../airtable/api-errors';
import { canReferenceField, searchFormula } from '../../airtable/formula';
import { READS } from '../annotations';
import { defineTool } from '../define-tool';
import { collectRecords } from '../record-pages';
import {
  baseIdInput,
  fieldNameInput,
  maxRecordsInput,
  offsetInput,
  recordListOutput,
  returnFieldsInput,
  tableInput,
  viewInput,
} from '../schemas';
import { findTable } from '../table-lookup';
import { ToolInputError } from '../tool-errors';

/** Field types whose value reads as text (airtable.com/developers/web/api/field-model). */
const TEXT_LIKE = new Set([
  'singleLineText',
  'multilineText',
  'richText',
  'email',
  'url',
  'phoneNumber',
  'singleSelect',
  'multipleSelects',
  'formula',
]);

export const searchRecordsTool = defineTool({
  name: 'search_records',
  title: 'Search records',
  description:
    'Finds records whose text contains the given text, ignoring case, in all text-like fields ' +
    '(text, long text, email, url, phone, selects, formulas) or in the fields you name. The text is ' +
    'matched literally: quotes, backslashes and braces are safe. Returns records and an offset to continue.',
  input: z.object({
    baseId: baseIdInput,
    table: tableInput,
    searchText: z
      .string()
      .max(1000)
      .refine((s) => s.trim().length > 0, 'searchText must contain something besides spaces')
      .describe('Text to find (case-insensitive, literal).'),
    searchFields: z
      .array(fieldNameInput)
      .min(1)
      .max(100)
      .optional()
      .describe(
        'Field names to search. Omit to search every text-like field (that reads the table schema, ' +
          'which needs the schema.bases:read scope).',
      ),
    fields: returnFieldsInput,
    view: viewInput.optional(),
    maxRecords: maxRecordsInput,
    offset: offsetInput,
  }),
  output: z.object({
    ...recordListOutput,
    searchedFields: z.array(z.string()).describe('The fields that were searched.'),
  }),
  annotations: READS,
  async run(args, ctx, signal) {
    let searched: string[];
    if (args.searchFields) {
      const bad = args.searchFields.find((f) => !canReferenceField(f));
      if (bad !== undefined) {
        throw new ToolInputError(`Field name "${bad}" cannot be searched (it contains "\\").`);
      }
      searched = args.searchFields;
    } else {
      const tables = await ctx.airtable
        .getBaseSchema(args.baseId, {}, { signal })
        .catch((err: unknown) => {
          if (err instanceof AirtableApiError && err.status === 403) {
            throw new ToolInputError(
              `Searching every text field needs the table schema, which this connection cannot read ` +
                `(Airtable 403 ${err.type}). Name the fields to search with searchFields, or reconnect at ` +
                `${ctx.links.reconnectUrl} granting the schema.bases:read scope (and check the base id).`,
            );
          }
          throw err;
        });
      const t = findTable(tables, args.table, args.baseId);
      searched = t.fields
        .filter((f) => TEXT_LIKE.has(f.type) && canReferenceField(f.name))
        .map((f) => f.name);
      if (searched.length === 0) {
        throw new ToolInputError(
          `Table "${t.name}" has no text fields to search; name fields with searchFields.`,
        );
      }
    }
    const got = await collectRecords(
      ctx.airtable,
      args.baseId,
      args.table,
      {
        filterByFormula: searchFormula(args.searchText.trim(), searched),
        ...(args.fields ? { fields: args.fields } : {}),
        ...(args.view ? { view: args.view } : {}),
      },
      { limit: args.maxRecords, signal, ...(args.offset ? { offset: args.offset } : {}) },
    );
    const data = { ...got, searchedFields: searched };
    return got.notice ? { data, notice: got.notice } : { data };
  },
});
