/** list_tables: a base's tables, at the level of detail the model asks for, paged to fit. */
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
  viewOutput,
} from '../schemas';
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
  totalTables: z.number().int().describe('How many tables the base has.'),
  nextOffset: nextPositionOutput('tables'),
  notice: noticeOutput,
});

export const listTablesTool = defineTool({
  name: 'list_tables',
  title: 'List tables',
  description:
    "Lists a base's tables. detailLevel tables gives ids and names only (cheap, for big bases); " +
    'fields adds each field (id, name, type); full also adds field options (select choices, linked ' +
    'tables...) and views. A big schema comes in parts: continue with nextOffset. For one table in ' +
    'depth use describe_table.',
  input: z.object({
    baseId: baseIdInput,
    detailLevel: z
      .enum(['tables', 'fields', 'full'])
      .default('fields')
      .describe(
        'tables: names and ids; fields: + fields; full: + field options and views. Default fields.',
      ),
    offset: positionInput('tables'),
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
    const max = maxResultChars(ctx);
    const page = pageFrom(shaped, args.offset, max);
    const base = { baseId: args.baseId, totalTables: tables.length };
    if (page.oversized) {
      // One table alone is over the budget: list it without fields; describe_table pages them.
      const t = page.items[0]!;
      const notice =
        `Table "${t.name}" alone is over ${max} characters at this detail level; its fields are left ` +
        `out here. Use describe_table (which pages fields) for it` +
        (page.next !== undefined ? `, and offset ${page.next} for the next tables.` : '.');
      return {
        data: {
          ...base,
          tables: [tableSummary(tables[args.offset]!)],
          ...(page.next !== undefined ? { nextOffset: page.next } : {}),
          notice,
        },
        notice,
      };
    }
    if (page.next === undefined && args.offset === 0)
      return { data: { ...base, tables: page.items } };
    const notice =
      page.next === undefined
        ? `Showing tables ${args.offset + 1}-${tables.length} of ${tables.length}.`
        : `Showing tables ${args.offset + 1}-${page.next} of ${tables.length} (result size limit). ` +
          `Call again with offset ${page.next} for the rest, or use detailLevel "tables" for all names.`;
    return {
      data: {
        ...base,
        tables: page.items,
        ...(page.next !== undefined ? { nextOffset: page.next } : {}),
        notice,
      },
      notice,
    };
  },
});
