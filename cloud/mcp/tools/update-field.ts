/** update_field: renames a field or changes its description (Airtable allows nothing else). */
import { z } from 'zod';
import { CHANGES } from '../annotations';
import { defineTool } from '../define-tool';
import { resolveTableAndField } from '../schema-refs';
import {
  baseIdInput,
  descriptionChangeInput,
  fieldNameInput,
  fieldOutput,
  tableInput,
} from '../schemas';
import { fieldOut } from '../table-lookup';
import { ToolInputError } from '../tool-errors';

export const updateFieldTool = defineTool({
  name: 'update_field',
  title: 'Update field',
  description:
    'Renames a field and/or changes its description. Its type and options cannot be changed through ' +
    "Airtable's API. Renaming breaks formulas and filters that use the old name. Needs the " +
    'schema.bases:write scope.',
  input: z.object({
    baseId: baseIdInput,
    table: tableInput,
    field: fieldNameInput.describe('Field id (fld..., preferred) or current field name.'),
    name: fieldNameInput.optional().describe('New field name.'),
    description: descriptionChangeInput,
  }),
  output: z.object({ baseId: z.string(), tableId: z.string(), field: fieldOutput }),
  annotations: CHANGES,
  async run(args, ctx, signal) {
    if (args.name === undefined && args.description === undefined) {
      throw new ToolInputError('Nothing to change: give name and/or description.');
    }
    const { tableId, fieldId } = await resolveTableAndField(
      ctx.airtable,
      args.baseId,
      args.table,
      args.field,
      signal,
    );
    const f = await ctx.airtable.updateField(
      args.baseId,
      tableId,
      fieldId ?? args.field,
      {
        ...(args.name !== undefined ? { name: args.name } : {}),
        ...(args.description !== undefined ? { description: args.description } : {}),
      },
      { signal },
    );
    return { data: { baseId: args.baseId, tableId, field: fieldOut(f, true) } };
  },
});
