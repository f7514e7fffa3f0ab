/** create_records: any number of records (up to 1000), sent to Airtable 10 at a time. */
import { z } from 'zod';
import { writeInBatches } from '../batching';
import { CREATES } from '../annotations';
import { defineTool } from '../define-tool';
import { baseIdInput, fieldValuesInput, tableInput, typecastInput } from '../schemas';
import { createDryRunOutput, dryRunInput } from '../dry-run/outputs';
import { planCreate } from '../dry-run/plans';
import { maxResultChars } from '../result-size';
import { writtenRecords, writtenRecordsOutput } from '../write-output';

export const createRecordsTool = defineTool({
  name: 'create_records',
  title: 'Create records',
  description:
    'Creates records in a table (up to 1000 per call; sent to Airtable in batches of 10). Check field ' +
    'names and types with describe_table first, or pass dryRun: true to have every value checked ' +
    'against the table without writing. If a batch fails, the error says which records were ' +
    'already created, so do not simply repeat the whole call.',
  input: z.object({
    baseId: baseIdInput,
    table: tableInput,
    records: z
      .array(z.object({ fields: fieldValuesInput }))
      .min(1)
      .max(1000)
      .describe('Records to create, each {"fields": {...}}.'),
    typecast: typecastInput,
    dryRun: dryRunInput,
  }),
  output: z.object({
    ...writtenRecordsOutput,
    createdCount: z.number().int().describe('How many records were created.'),
    dryRun: createDryRunOutput,
  }),
  annotations: CREATES,
  async run(args, ctx, signal) {
    if (args.dryRun) {
      const plan = await planCreate(
        { ctx, baseId: args.baseId, table: args.table, signal },
        args.records,
        args.typecast,
      );
      const data = { records: [], createdCount: 0, dryRun: plan };
      const notice = `Dry run: nothing was written. ${plan.valid ? `${plan.wouldCreate} records would be created.` : `${plan.issueCount} problems found.`}${plan.notice ? ` ${plan.notice}` : ''}`;
      return { data, notice };
    }
    const created = await writeInBatches(args.records, 'created', (batch) =>
      ctx.airtable.createRecords(
        args.baseId,
        args.table,
        batch,
        { typecast: args.typecast },
        { signal },
      ),
    );
    const out = writtenRecords(created, maxResultChars(ctx));
    const data = { ...out, createdCount: created.length };
    return out.notice ? { data, notice: out.notice } : { data };
  },
});
