/** create_records: any number of records (up to 1000), sent to Airtable 10 at a time. */
import { z } from 'zod';
import { writeInBatches } from '../batching';
import { CREATES } from '../annotations';
import { defineTool } from '../define-tool';
import { baseIdInput, fieldValuesInput, tableInput, typecastInput } from '../schemas';
import { writtenRecords, writtenRecordsOutput } from '../write-output';

export const createRecordsTool = defineTool({
  name: 'create_records',
  title: 'Create records',
  description:
    'Creates records in a table (up to 1000 per call; sent to Airtable in batches of 10). Check field ' +
    'names and types with describe_table first. If a batch fails, the error says which records were ' +
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
  }),
  output: z.object({
    ...writtenRecordsOutput,
    createdCount: z.number().int().describe('How many records were created.'),
  }),
  annotations: CREATES,
  async run(args, ctx, signal) {
    const created = await writeInBatches(args.records, 'created', (batch) =>
      ctx.airtable.createRecords(
        args.baseId,
        args.table,
        batch,
        { typecast: args.typecast },
        { signal },
      ),
    );
    const out = writtenRecords(created);
    const data = { ...out, createdCount: created.length };
    return out.notice ? { data, notice: out.notice } : { data };
  },
});
