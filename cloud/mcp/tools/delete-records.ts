/** delete_records: deletes records by id, 10 per Airtable request. */
import { z } from 'zod';
import { writeInBatches } from '../batching';
import { CHANGES } from '../annotations';
import { defineTool } from '../define-tool';
import { deleteDryRunOutput } from '../dry-run/outputs';
import { planDelete } from '../dry-run/plans';
import { baseIdInput, recordIdInput, tableInput } from '../schemas';

export const deleteRecordsTool = defineTool({
  name: 'delete_records',
  title: 'Delete records',
  description:
    'Permanently deletes records by id (up to 1000 per call; Airtable takes 10 per request). ' +
    'Deleted records go to the base trash in Airtable for a while, but the API cannot restore them. ' +
    'Confirm with the user before deleting; dryRun: true lists the records that would go without ' +
    'deleting anything.',
  input: z.object({
    baseId: baseIdInput,
    table: tableInput,
    recordIds: z
      .array(recordIdInput)
      .min(1)
      .max(1000)
      .refine((ids) => new Set(ids).size === ids.length, 'recordIds must not repeat an id')
      .describe('Ids of the records to delete.'),
    dryRun: z
      .boolean()
      .default(false)
      .describe(
        'true: return the records that would be deleted (and ids not found), deleting nothing.',
      ),
  }),
  output: z.object({
    deletedRecordIds: z.array(z.string()).describe('Ids Airtable confirmed as deleted.'),
    deletedCount: z.number().int(),
    dryRun: deleteDryRunOutput,
  }),
  annotations: CHANGES,
  async run(args, ctx, signal) {
    if (args.dryRun) {
      const plan = await planDelete(
        { ctx, baseId: args.baseId, table: args.table, signal },
        args.recordIds,
      );
      const data = { deletedRecordIds: [], deletedCount: 0, dryRun: plan };
      const notice = `Dry run: nothing was deleted. ${plan.wouldDelete} records would be deleted.${plan.notice ? ` ${plan.notice}` : ''}`;
      return { data, notice };
    }
    const results = await writeInBatches(args.recordIds, 'deleted', (batch) =>
      ctx.airtable.deleteRecords(args.baseId, args.table, batch, { signal }),
    );
    const deletedRecordIds = results.filter((r) => r.deleted).map((r) => r.id);
    return { data: { deletedRecordIds, deletedCount: deletedRecordIds.length } };
  },
});
