/**
 * update_records: changes records by id (merge or replace), or upserts by matching fields
 * (performUpsert.fieldsToMergeOn; airtable.com/developers/web/api/update-multiple-records).
 */
import { z } from 'zod';
import type { AirtableRecord } from '../../airtable/api-schemas';
import { writeInBatches } from '../batching';
import { CHANGES } from '../annotations';
import { defineTool } from '../define-tool';
import {
  baseIdInput,
  fieldNameInput,
  fieldValuesInput,
  recordIdInput,
  tableInput,
  typecastInput,
} from '../schemas';
import { ToolInputError } from '../tool-errors';
import { dryRunInput, updateDryRunOutput } from '../dry-run/outputs';
import { planUpdate } from '../dry-run/plans';
import { maxResultChars } from '../result-size';
import { writtenRecords, writtenRecordsOutput } from '../write-output';

export const updateRecordsTool = defineTool({
  name: 'update_records',
  title: 'Update records',
  description:
    'Updates records (up to 1000 per call; sent to Airtable in batches of 10). mode "merge" (default) ' +
    'changes only the fields given; mode "replace" also clears every field not given. With ' +
    'fieldsToMergeOn it upserts instead: records whose values in those fields match an existing ' +
    'record update it, the others are created, and ids are optional. dryRun: true shows, for each ' +
    'record, the current and new values (and checks them) without writing.',
  input: z.object({
    baseId: baseIdInput,
    table: tableInput,
    records: z
      .array(
        z.object({
          id: recordIdInput
            .optional()
            .describe('Record to update; required unless fieldsToMergeOn is given.'),
          fields: fieldValuesInput,
        }),
      )
      .min(1)
      .max(1000)
      .describe('Records to update, each {"id": "rec...", "fields": {...}}.'),
    mode: z
      .enum(['merge', 'replace'])
      .default('merge')
      .describe(
        'merge (default): untouched fields keep their values; replace: omitted fields are cleared.',
      ),
    fieldsToMergeOn: z
      .array(fieldNameInput)
      .min(1)
      .max(3)
      .optional()
      .describe('Upsert: 1-3 field names whose values identify a record (e.g. ["Email"]).'),
    typecast: typecastInput,
    dryRun: dryRunInput,
  }),
  output: z.object({
    ...writtenRecordsOutput,
    updatedCount: z.number().int().describe('Records that existed and were changed.'),
    createdCount: z.number().int().describe('Records created by an upsert (0 otherwise).'),
    createdRecordIds: z.array(z.string()).optional().describe('Upsert only: ids created.'),
    dryRun: updateDryRunOutput,
  }),
  annotations: CHANGES,
  async run(args, ctx, signal) {
    const replace = args.mode === 'replace';
    const merge = args.fieldsToMergeOn;
    if (!merge) requireIds(args.records);
    if (args.dryRun) {
      const plan = await planUpdate(
        { ctx, baseId: args.baseId, table: args.table, signal },
        { records: args.records, replace, typecast: args.typecast, fieldsToMergeOn: merge },
      );
      const data = { records: [], updatedCount: 0, createdCount: 0, dryRun: plan };
      const summary = plan.valid
        ? `${plan.wouldUpdate} records would be updated${merge ? ` and ${plan.wouldCreate} created` : ''}.`
        : `${plan.issueCount} problems found.`;
      const notice = `Dry run: nothing was written. ${summary}${plan.notice ? ` ${plan.notice}` : ''}`;
      return { data, notice };
    }
    const written: AirtableRecord[] = [];
    const created: string[] = [];
    if (merge) {
      await writeInBatches(args.records, 'written', async (batch) => {
        const res = await ctx.airtable.upsertRecords(
          args.baseId,
          args.table,
          batch,
          { fieldsToMergeOn: merge, typecast: args.typecast, replace },
          { signal },
        );
        created.push(...res.createdRecords);
        written.push(...res.records);
        return res.records;
      });
    } else {
      const updates = args.records.map((r) => ({ id: r.id ?? '', fields: r.fields }));
      written.push(
        ...(await writeInBatches(updates, 'updated', (batch) =>
          ctx.airtable.updateRecords(
            args.baseId,
            args.table,
            batch,
            { typecast: args.typecast, replace },
            { signal },
          ),
        )),
      );
    }
    const out = writtenRecords(written, maxResultChars(ctx));
    const data = {
      ...out,
      updatedCount: written.length - created.length,
      createdCount: created.length,
      ...(merge ? { createdRecordIds: created } : {}),
    };
    return out.notice ? { data, notice: out.notice } : { data };
  },
});

function requireIds(records: readonly { id?: string | undefined }[]): void {
  const missing = records.flatMap((r, i) => (r.id ? [] : [i]));
  if (missing.length > 0) {
    throw new ToolInputError(
      `records[${missing.slice(0, 10).join('], records[')}] ha${missing.length > 1 ? 've' : 's'} no id; ` +
        'give each record its id, or use fieldsToMergeOn to upsert.',
    );
  }
}
