/** list_records: records of a table, filtered, sorted and paged. */
import { z } from 'zod';
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

export const listRecordsTool = defineTool({
  name: 'list_records',
  title: 'List records',
  description:
    'Lists records of a table, optionally filtered by an Airtable formula, sorted, limited to some ' +
    'fields or a view. Returns up to maxRecords records and, when more remain, an offset to continue. ' +
    'For a plain text search use search_records instead of writing a formula.',
  input: z.object({
    baseId: baseIdInput,
    table: tableInput,
    filterByFormula: z
      .string()
      .min(1)
      .max(50_000)
      .optional()
      .describe(
        'Airtable formula; records where it is truthy are returned. Examples: {Status} = "Done", ' +
          'AND({Price} > 10, NOT({Archived})), IS_AFTER({Due}, TODAY()). Field names go in {braces}; ' +
          'text in double quotes with \\" and \\\\ escaped.',
      ),
    sort: z
      .array(
        z.object({
          field: fieldNameInput.describe('Field name or id to sort by.'),
          direction: z.enum(['asc', 'desc']).default('asc').describe('asc (default) or desc.'),
        }),
      )
      .max(20)
      .optional()
      .describe("Sort order, first entry first; overrides the view's order."),
    fields: returnFieldsInput,
    view: viewInput.optional(),
    pageSize: z
      .number()
      .int()
      .min(1)
      .max(100)
      .optional()
      .describe('Records per Airtable request (1-100, default 100); rarely needed.'),
    maxRecords: maxRecordsInput,
    offset: offsetInput,
  }),
  output: z.object(recordListOutput),
  annotations: READS,
  async run(args, ctx, signal) {
    const got = await collectRecords(
      ctx.airtable,
      args.baseId,
      args.table,
      {
        ...(args.filterByFormula ? { filterByFormula: args.filterByFormula } : {}),
        ...(args.sort ? { sort: args.sort } : {}),
        ...(args.fields ? { fields: args.fields } : {}),
        ...(args.view ? { view: args.view } : {}),
      },
      {
        limit: args.maxRecords,
        signal,
        ...(args.pageSize ? { pageSize: args.pageSize } : {}),
        ...(args.offset ? { offset: args.offset } : {}),
      },
    );
    return got.notice ? { data: got, notice: got.notice } : { data: got };
  },
});
