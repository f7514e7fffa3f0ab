/**
 * list_views: the views of one table or of every table, with their type and id. Read from the
 * base schema (airtable.com/developers/web/api/get-base-schema), which every plan has; Airtable's
 * own list-views endpoint is Enterprise-only (airtable.com/developers/web/api/list-views).
 */
import { z } from 'zod';
import { READS } from '../annotations';
import { defineTool } from '../define-tool';
import { fittingPrefix } from '../result-size';
import { baseIdInput, noticeOutput, tableInput } from '../schemas';
import { findTable } from '../table-lookup';

const viewOut = z.object({
  id: z.string().describe('View id (viw...); pass it as view to list_records.'),
  name: z.string(),
  type: z
    .string()
    .describe('grid, form, calendar, gallery, kanban, timeline or block (Gantt views are block).'),
  tableId: z.string(),
  tableName: z.string(),
  visibleFieldIds: z
    .array(z.string())
    .optional()
    .describe('Grid views only, with includeVisibleFieldIds: the fields the view shows, in order.'),
});

export const listViewsTool = defineTool({
  name: 'list_views',
  title: 'List views',
  description:
    "Lists a table's views (or every table's, without table) with their id, name and type (grid, form, " +
    'calendar, gallery, kanban, timeline, block). Pass a view id or name to list_records to read records ' +
    "in that view's order and filter. Needs the schema.bases:read scope.",
  input: z.object({
    baseId: baseIdInput,
    table: tableInput.optional().describe('Table id or name; omit for the views of every table.'),
    includeVisibleFieldIds: z
      .boolean()
      .default(false)
      .describe('true adds, for grid views, the ids of the fields they show.'),
  }),
  output: z.object({ baseId: z.string(), views: z.array(viewOut), notice: noticeOutput }),
  annotations: READS,
  async run(args, ctx, signal) {
    const tables = await ctx.airtable.getBaseSchema(
      args.baseId,
      { includeVisibleFieldIds: args.includeVisibleFieldIds },
      { signal },
    );
    const chosen = args.table ? [findTable(tables, args.table, args.baseId)] : tables;
    const views = chosen.flatMap((t) =>
      t.views.map((v) => ({
        id: v.id,
        name: v.name,
        type: v.type,
        tableId: t.id,
        tableName: t.name,
        ...(args.includeVisibleFieldIds && v.visibleFieldIds
          ? { visibleFieldIds: v.visibleFieldIds }
          : {}),
      })),
    );
    const fit = fittingPrefix(views);
    if (fit.items.length === views.length) return { data: { baseId: args.baseId, views } };
    const notice = `Showing ${fit.items.length} of ${views.length} views (result size limit); name a table to see its views.`;
    return { data: { baseId: args.baseId, views: fit.items, notice }, notice };
  },
});
