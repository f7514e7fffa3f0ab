/** create_field: adds a field (column) to a table. */
import { z } from 'zod';
import { CREATES } from '../annotations';
import { defineTool } from '../define-tool';
import { resolveTableAndField } from '../schema-refs';
import { baseIdInput, fieldOutput, fieldSpecShape, tableInput } from '../schemas';
import { fieldOut } from '../table-lookup';

export const createFieldTool = defineTool({
  name: 'create_field',
  title: 'Create field',
  description:
    'Adds a field (column) to a table. Some types need options (see the options parameter). ' +
    'Computed types (formula, rollup, lookup) cannot be created through the API. Needs the ' +
    'schema.bases:write scope.',
  input: z.object({ baseId: baseIdInput, table: tableInput, ...fieldSpecShape }),
  output: z.object({ baseId: z.string(), tableId: z.string(), field: fieldOutput }),
  annotations: CREATES,
  async run(args, ctx, signal) {
    const { tableId } = await resolveTableAndField(
      ctx.airtable,
      args.baseId,
      args.table,
      undefined,
      signal,
    );
    const f = await ctx.airtable.createField(
      args.baseId,
      tableId,
      {
        name: args.name,
        type: args.type,
        ...(args.description !== undefined ? { description: args.description } : {}),
        ...(args.options !== undefined ? { options: args.options } : {}),
      },
      { signal },
    );
    return { data: { baseId: args.baseId, tableId, field: fieldOut(f, true) } };
  },
});
