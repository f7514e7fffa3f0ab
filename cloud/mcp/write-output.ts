/**
 * What write tools return: the written records, or only their ids when the full records would
 * pass the result size limit (the write itself is complete either way).
 */
import { z } from 'zod';
import type { AirtableRecord } from '../airtable/api-schemas';
import { fittingPrefix, itemsBudget } from './result-size';
import { noticeOutput } from './schemas';

export const writtenRecordsOutput = {
  records: z
    .array(
      z.object({
        id: z.string().describe('Record id (rec...).'),
        createdTime: z.string().optional(),
        fields: z
          .record(z.string(), z.unknown())
          .optional()
          .describe('Cell values after the write; left out when the result would be too long.'),
      }),
    )
    .describe('The records written, in the order given.'),
  notice: noticeOutput,
};

export function writtenRecords(
  records: readonly AirtableRecord[],
  maxChars: number,
): {
  records: { id: string; createdTime?: string; fields?: Record<string, unknown> }[];
  notice?: string;
} {
  const full = records.map((r) => ({ id: r.id, createdTime: r.createdTime, fields: r.fields }));
  if (fittingPrefix(full, 0, itemsBudget(maxChars)).items.length === full.length)
    return { records: full };
  return {
    records: records.map((r) => ({ id: r.id })),
    notice: `All ${records.length} records were written; only their ids are shown (the full records exceed the result size limit). Use get_record or list_records to read them.`,
  };
}
