/** create_table: a new table with its fields (the first field becomes the primary field). */
import { z } from 'zod';
import { CREATES } from '../annotations';
import { defineTool } from '../define-tool';
import { baseIdInput, fieldOutput, fieldSpecShape, viewOutput } from '../schemas';
import { fieldOut, tableSummary, viewOut } from '../table-lookup';

export const createTableTool = defineTool({
  name: 'create_table',
  title: 'Create table',
  description:
    'Creates a table in a base with the given fields. The first field becomes the primary field and ' +
    'must be a text-like, number, date, formula or autoNumber type (e.g. singleLineText). Needs the ' +
    'schema.bases:write scope.',
  input: z.object({
    baseId: baseIdInput,
    name: z.string().min(1).max(255).describe('Table name, unique within the base.'),
    description: z.string().max(20_000).optional().describe('Table description.'),
    fields: z
      .array(z.object(fieldSpecShape))
      .min(1)
      .max(500)
      .describe('Fields to create, primary field first.'),
  }),
  output: z.object({
    baseId: z.string(),
    id: z.string().describe('Id of the new table (tbl...).'),
    name: z.string(),
    primaryFieldId: z.string(),
    description: z.string().optional(),
    fields: z.array(fieldOutput),
    views: z.array(viewOutput),
  }),
  annotations: CREATES,
  async run(args, ctx, signal) {
    const t = await ctx.airtable.createTable(
      args.baseId,
      {
        name: args.name,
        ...(args.description !== undefined ? { description: args.description } : {}),
        fields: args.fields,
      },
      { signal },
    );
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
