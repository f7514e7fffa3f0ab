/** update_table: renames a table or changes its description. */
import { z } from 'zod';
import { CHANGES } from '../annotations';
import { defineTool } from '../define-tool';
import { baseIdInput, descriptionChangeInput, tableInput } from '../schemas';
import { tableSummary } from '../table-lookup';
import { ToolInputError } from '../tool-errors';

export const updateTableTool = defineTool({
  name: 'update_table',
  title: 'Update table',
  description:
    'Renames a table and/or changes its description. Renaming breaks formulas or integrations that ' +
    'use the old name (ids stay the same). Needs the schema.bases:write scope.',
  input: z.object({
    baseId: baseIdInput,
    table: tableInput,
    name: z.string().min(1).max(255).optional().describe('New table name.'),
    description: descriptionChangeInput,
  }),
  output: z.object({
    baseId: z.string(),
    id: z.string().describe('Table id (tbl...).'),
    name: z.string(),
    primaryFieldId: z.string(),
    description: z.string().optional(),
  }),
  annotations: CHANGES,
  async run(args, ctx, signal) {
    if (args.name === undefined && args.description === undefined) {
      throw new ToolInputError('Nothing to change: give name and/or description.');
    }
    const t = await ctx.airtable.updateTable(
      args.baseId,
      args.table,
      {
        ...(args.name !== undefined ? { name: args.name } : {}),
        ...(args.description !== undefined ? { description: args.description } : {}),
      },
      { signal },
    );
    return { data: { baseId: args.baseId, ...tableSummary(t) } };
  },
});
