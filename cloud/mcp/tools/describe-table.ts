/** describe_table: one table's fields (with options) and views, fields paged to fit. */
import { z } from 'zod';
import { READS } from '../annotations';
import { defineTool } from '../define-tool';
import { maxResultChars, pageFrom } from '../result-size';
import {
  baseIdInput,
  fieldOutput,
  nextPositionOutput,
  noticeOutput,
  positionInput,
  tableInput,
  viewOutput,
} from '../schemas';
import { fieldOut, findTable, tableSummary, viewOut } from '../table-lookup';

const output = z.object({
  baseId: z.string(),
  id: z.string().describe('Table id (tbl...).'),
  name: z.string(),
  primaryFieldId: z.string().describe('Id of the primary (first) field.'),
  description: z.string().optional(),
  fields: z.array(fieldOutput),
  totalFields: z.number().int().describe('How many fields the table has.'),
  views: z.array(viewOutput).describe('The views (listed with the first part of the fields).'),
  nextOffset: nextPositionOutput('fields'),
  notice: noticeOutput,
});

export const describeTableTool = defineTool({
  name: 'describe_table',
  title: 'Describe table',
  description:
    "Shows one table's fields with their types and options (select choices, number formats, linked " +
    'table ids) and its views. Read it before writing records so field names and value formats are ' +
    'right. A table with very many fields comes in parts: continue with nextOffset.',
  input: z.object({
    baseId: baseIdInput,
    table: tableInput,
    offset: positionInput('fields'),
  }),
  output,
  annotations: READS,
  async run(args, ctx, signal) {
    const tables = await ctx.airtable.getBaseSchema(args.baseId, {}, { signal });
    const t = findTable(tables, args.table, args.baseId);
    const views = args.offset === 0 ? t.views.map(viewOut) : [];
    const max = maxResultChars(ctx);
    // The views and the table's own description share the budget with the fields.
    const page = pageFrom(
      t.fields.map((f) => fieldOut(f, true)),
      args.offset,
      Math.max(max - JSON.stringify(views).length - (t.description?.length ?? 0), 4_000),
    );
    const data = {
      baseId: args.baseId,
      ...tableSummary(t),
      fields: page.items,
      totalFields: t.fields.length,
      views,
    };
    if (page.next === undefined && args.offset === 0) return { data };
    const shown = `fields ${args.offset + 1}-${page.next ?? t.fields.length} of ${t.fields.length}`;
    const notice =
      page.next === undefined
        ? `Showing ${shown}; views were listed with the first part.`
        : `Showing ${shown} (result size limit). Call again with offset ${page.next} for the rest.`;
    return {
      data: { ...data, ...(page.next !== undefined ? { nextOffset: page.next } : {}), notice },
      notice,
    };
  },
});
