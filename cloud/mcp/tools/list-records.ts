/** list_records: records of a table, filtered, sorted, projected and paged. */
import { z } from 'zod';
import { READS } from '../annotations';
import { defineTool } from '../define-tool';
import { filterByFormulaInput, filterInput, recordFilterFormula } from '../filter-input';
import { readOptionsShape, readParams } from '../read-options';
import { collectRecords } from '../record-pages';
import { maxResultChars } from '../result-size';
import {
  baseIdInput,
  maxRecordsInput,
  offsetInput,
  recordListOutput,
  returnFieldsInput,
  sortInput,
  tableInput,
  viewInput,
} from '../schemas';
import { TableSchema } from '../table-schema';

export const listRecordsTool = defineTool({
  name: 'list_records',
  title: 'List records',
  description:
    'Lists records of a table, optionally filtered (a structured "filter", an Airtable formula, or ' +
    "both), sorted, limited to some fields or to a view's records, as typed values or as display " +
    'text. Returns up to maxRecords records and, when more remain, an offset to continue. For a ' +
    'plain text search use search_records; for counts and totals use summarize_records.',
  input: z.object({
    baseId: baseIdInput,
    table: tableInput,
    filter: filterInput,
    filterByFormula: filterByFormulaInput,
    sort: sortInput,
    fields: returnFieldsInput,
    view: viewInput.optional(),
    ...readOptionsShape,
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
    const read = readParams(args);
    const formula = await recordFilterFormula(
      args,
      new TableSchema(ctx, args.baseId, args.table, signal),
    );
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
        ...(args.pageSize ? { pageSize: args.pageSize } : {}),
        ...(args.offset ? { offset: args.offset } : {}),
      },
    );
    return got.notice ? { data: got, notice: got.notice } : { data: got };
  },
});
