/** search_records: case-insensitive text search across a table's text fields (and lookups). */
import { z } from 'zod';
import type { FieldModel } from '../../airtable/api-schemas';
import { canReferenceField, searchFormula } from '../../airtable/formula';
import { READS } from '../annotations';
import { defineTool } from '../define-tool';
import { filterByFormulaInput, filterInput, recordFilterFormula } from '../filter-input';
import { readOptionsShape, readParams } from '../read-options';
import { collectRecords } from '../record-pages';
import { maxResultChars } from '../result-size';
import {
  baseIdInput,
  fieldNameInput,
  maxRecordsInput,
  offsetInput,
  recordListOutput,
  returnFieldsInput,
  sortInput,
  tableInput,
  viewInput,
} from '../schemas';
import { TableSchema } from '../table-schema';
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

/**
 * Values that come from other records: in a formula a lookup or rollup reads as its values, and a
 * link as the linked records' primary field values, joined by ", ".
 */
const FROM_LINKED = new Set(['multipleLookupValues', 'rollup', 'multipleRecordLinks']);

function searchable(f: FieldModel, withLinked: boolean): boolean {
  return (
    (TEXT_LIKE.has(f.type) || (withLinked && FROM_LINKED.has(f.type))) && canReferenceField(f.name)
  );
}

export const searchRecordsTool = defineTool({
  name: 'search_records',
  title: 'Search records',
  description:
    'Finds records whose text contains the given text, ignoring case, in all text-like fields ' +
    '(text, long text, email, url, phone, selects, formulas; with includeLookups also lookup, rollup ' +
    'and linked-record fields) or in the fields you name. The text is matched literally: quotes, ' +
    'backslashes and braces are safe. Takes the same filter, sort, view and format options as ' +
    'list_records. Returns records and an offset to continue.',
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
    includeLookups: z
      .boolean()
      .default(false)
      .describe(
        'Without searchFields: also search lookup and rollup fields and linked records (by their ' +
          'primary field), e.g. find tasks by their project name.',
      ),
    filter: filterInput,
    filterByFormula: filterByFormulaInput,
    sort: sortInput,
    fields: returnFieldsInput,
    view: viewInput.optional(),
    ...readOptionsShape,
    maxRecords: maxRecordsInput,
    offset: offsetInput,
  }),
  output: z.object({
    ...recordListOutput,
    searchedFields: z.array(z.string()).describe('The fields that were searched.'),
  }),
  annotations: READS,
  async run(args, ctx, signal) {
    const read = readParams(args);
    const schema = new TableSchema(ctx, args.baseId, args.table, signal);
    let searched: string[];
    if (args.searchFields) {
      if (args.includeLookups)
        throw new ToolInputError(
          'includeLookups applies when searchFields is omitted; name the lookup fields in searchFields instead.',
        );
      const bad = args.searchFields.find((f) => !canReferenceField(f));
      if (bad !== undefined) {
        throw new ToolInputError(`Field name "${bad}" cannot be searched (it contains "\\").`);
      }
      searched = args.searchFields;
    } else {
      const t = await schema.get(
        'Searching every text field (name the fields to search with searchFields to avoid it)',
      );
      searched = t.fields.filter((f) => searchable(f, args.includeLookups)).map((f) => f.name);
      if (searched.length === 0) {
        throw new ToolInputError(
          `Table "${t.name}" has no text fields to search; name fields with searchFields.`,
        );
      }
    }
    const formula = await recordFilterFormula(args, schema, {
      extra: searchFormula(args.searchText.trim(), searched),
    });
    const got = await collectRecords(
      ctx.airtable,
      args.baseId,
      args.table,
      {
        ...(formula ? { filterByFormula: formula } : {}),
        ...(args.sort ? { sort: args.sort } : {}),
        ...(args.fields ? { fields: args.fields } : {}),
        ...(args.view ? { view: args.view } : {}),
        ...read,
      },
      {
        limit: args.maxRecords,
        maxChars: maxResultChars(ctx),
        signal,
        ...(args.offset ? { offset: args.offset } : {}),
      },
    );
    const data = { ...got, searchedFields: searched };
    return got.notice ? { data, notice: got.notice } : { data };
  },
});
