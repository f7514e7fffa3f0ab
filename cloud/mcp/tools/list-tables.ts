/** list_tables: a base's tables, at the level of detail the model asks for. */
import { z } from 'zod';
import { READS } from '../annotations';
import { defineTool } from '../define-tool';
import { fittingPrefix } from '../result-size';
import { baseIdInput, fieldOutput, noticeOutput, viewOutput } from '../schemas';
import { fieldOut, tableSummary, viewOut } from '../table-lookup';

const tableOutput = z.object({
  id: z.string().describe('Table id (tbl...).'),
  name: z.string(),
  primaryFieldId: z.string().describe('Id of the primary (first) field.'),
  description: z.string().optional(),
  fields: z.array(fieldOutput).optional().describe('Present for detailLevel fields and full.'),
  views: z.array(viewOutput).optional().describe('Present for detailLevel full.'),
});

const output = z.object({
  baseId: z.string(),
  tables: z.array(tableOutput),
  notice: noticeOutput,
});

export const listTablesTool = defineTool({
  name: 'list_tables',
  title: 'List tables',
  description:
    "Lists a base's tables. detailLevel tables gives ids and names only (cheap, for big bases); " +
    'fields adds each field (id, name, type); full also adds field options (select choices, linked ' +
    'tables...) and views. For one table in depth use describe_table.',
  input: z.object({
    baseId: baseIdInput,
    detailLevel: z
      .enum(['tables', 'fields', 'full'])
      .default('fields')
      .describe(
        'tables: names and ids; fields: + fields; full: + field options and views. Default fields.',
      ),
  }),
  output,
  annotations: READS,
  async run(args, ctx, signal) {
    const tables = await ctx.airtable.getBaseSchema(args.baseId, {}, { signal });
    const full = args.detailLevel === 'full';
    const shaped = tables.map((t) => ({
      ...tableSummary(t),
      ...(args.detailLevel !== 'tables' ? { fields: t.fields.map((f) => fieldOut(f, full)) } : {}),
      ...(full ? { views: t.views.map(viewOut) } : {}),
    }));
    const fit = fittingPrefix(shaped);
    if (fit.items.length === shaped.length)
      return { data: { baseId: args.baseId, tables: shaped } };
    const notice =
      `Showing ${fit.items.length} of ${shaped.length} tables (result size limit). ` +
      'Use detailLevel "tables" for all names, then describe_table for the ones you need.';
    return { data: { baseId: args.baseId, tables: fit.items, notice }, notice };
  },
});
