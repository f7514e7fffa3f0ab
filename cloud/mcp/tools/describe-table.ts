/** describe_table: one table's fields (with options) and views. */
import { z } from 'zod';
import { READS } from '../annotations';
import { defineTool } from '../define-tool';
import { baseIdInput, fieldOutput, tableInput, viewOutput } from '../schemas';
import { fieldOut, findTable, tableSummary, viewOut } from '../table-lookup';

const output = z.object({
  baseId: z.string(),
  id: z.string().describe('Table id (tbl...).'),
  name: z.string(),
  primaryFieldId: z.string().describe('Id of the primary (first) field.'),
  description: z.string().optional(),
  fields: z.array(fieldOutput),
  views: z.array(viewOutput),
});

export const describeTableTool = defineTool({
  name: 'describe_table',
  title: 'Describe table',
  description:
    "Shows one table's fields with their types and options (select choices, number formats, linked " +
    'table ids) and its views. Read it before writing records so field names and value formats are right.',
  input: z.object({ baseId: baseIdInput, table: tableInput }),
  output,
  annotations: READS,
  async run(args, ctx, signal) {
    const tables = await ctx.airtable.getBaseSchema(args.baseId, {}, { signal });
    const t = findTable(tables, args.table, args.baseId);
    return {
      data: {
        baseId: args.baseId,
        ...tableSummary(t),
        fields: t.fields.map((f) => fieldOut(f, true)),
        views: t.views.map(viewOut),
      },
    };
  },
});
