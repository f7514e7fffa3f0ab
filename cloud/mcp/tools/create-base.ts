/** create_base: a new base in a workspace, with its tables (airtable.com/developers/web/api/create-base). */
import { z } from 'zod';
import { CREATES } from '../annotations';
import { defineTool } from '../define-tool';
import { fieldOutput, fieldSpecShape, viewOutput, workspaceIdInput } from '../schemas';
import { fieldOut, tableSummary, viewOut } from '../table-lookup';

export const createBaseTool = defineTool({
  name: 'create_base',
  title: 'Create base',
  description:
    'Creates a new base in a workspace with at least one table; each table gets a default grid view and its ' +
    'first field becomes the primary field (a text-like, number or date type). Airtable needs creator access ' +
    'to the workspace and the schema.bases:write scope. There is no API to list workspaces: ask the user ' +
    'for the workspace id (wsp..., in the address bar of the workspace page).',
  input: z.object({
    name: z.string().min(1).max(255).describe('Name of the new base.'),
    workspaceId: workspaceIdInput,
    tables: z
      .array(
        z.object({
          name: z.string().min(1).max(255).describe('Table name, unique within the base.'),
          description: z.string().max(20_000).optional().describe('Table description.'),
          fields: z
            .array(z.object(fieldSpecShape))
            .min(1)
            .max(500)
            .describe('Fields to create, primary field first.'),
        }),
      )
      .min(1)
      .max(50)
      .describe('Tables to create with the base (at least one).'),
  }),
  output: z.object({
    id: z.string().describe('Id of the new base (app...); pass it as baseId to the other tools.'),
    name: z.string(),
    tables: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        primaryFieldId: z.string(),
        description: z.string().optional(),
        fields: z.array(fieldOutput),
        views: z.array(viewOutput),
      }),
    ),
  }),
  annotations: CREATES,
  async run(args, ctx, signal) {
    const base = await ctx.airtable.createBase(
      { name: args.name, workspaceId: args.workspaceId, tables: args.tables },
      { signal },
    );
    return {
      data: {
        id: base.id,
        name: args.name,
        tables: base.tables.map((t) => ({
          ...tableSummary(t),
          fields: t.fields.map((f) => fieldOut(f, true)),
          views: t.views.map(viewOut),
        })),
      },
    };
  },
});
