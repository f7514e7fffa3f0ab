/**
 * Reads records page by page (Airtable pages hold at most 100; airtable.com/developers/web/api/list-records)
 * until the caller's limit, the last page, or the result size budget. A page that would overflow
 * the budget is left for the next call, and the offset returned is the one that fetches it, so no
 * record is skipped; when even the first page is too big, it is fetched again with a smaller
 * pageSize so the returned offset stays exact.
 */
import type { AirtableApi } from '../airtable/api-client';
import type { AirtableRecord, ListRecordsParams } from '../airtable/api-schemas';
import { fittingPrefix, itemsBudget } from './result-size';

export interface RecordOut {
  id: string;
  createdTime: string;
  fields: Record<string, unknown>;
}

export interface CollectedRecords {
  records: RecordOut[];
  offset?: string;
  notice?: string;
}

export function recordOut(r: AirtableRecord): RecordOut {
  return { id: r.id, createdTime: r.createdTime, fields: r.fields };
}

export async function collectRecords(
  api: AirtableApi,
  baseId: string,
  table: string,
  params: Omit<ListRecordsParams, 'pageSize' | 'offset' | 'maxRecords'>,
  opts: {
    limit: number;
    /** The result budget in characters (cloud/mcp/result-size.ts maxResultChars). */
    maxChars: number;
    pageSize?: number;
    offset?: string;
    signal?: AbortSignal;
  },
): Promise<CollectedRecords> {
  const budget = itemsBudget(opts.maxChars);
  const records: RecordOut[] = [];
  let chars = 0;
  let offset = opts.offset;
  let pageCap = Math.min(opts.pageSize ?? 100, 100);
  while (records.length < opts.limit) {
    const pageSize = Math.min(pageCap, opts.limit - records.length);
    const page = await api.listRecords(
      baseId,
      table,
      { ...params, pageSize, ...(offset ? { offset } : {}) },
      opts.signal ? { signal: opts.signal } : {},
    );
    const shaped = page.records.map(recordOut);
    const fit = fittingPrefix(shaped, chars, budget);
    if (fit.items.length < shaped.length) {
      if (records.length > 0) {
        return {
          records,
          ...(offset ? { offset } : {}),
          notice: cutNotice(records.length, opts.maxChars),
        };
      }
      if (fit.items.length === 0) {
        return {
          records,
          ...(offset ? { offset } : {}),
          notice: `A single record is larger than ${opts.maxChars} characters; list fewer fields with "fields".`,
        };
      }
      pageCap = fit.items.length;
      continue;
    }
    records.push(...shaped);
    chars = fit.chars;
    if (!page.offset) return { records };
    offset = page.offset;
  }
  return {
    records,
    ...(offset ? { offset } : {}),
    notice: `Returned ${records.length} records (the limit asked for); more match: call again with this offset to continue.`,
  };
}

function cutNotice(n: number, maxChars: number): string {
  return (
    `Result cut at ${n} records to stay under ${maxChars} characters. ` +
    'Call again with the returned offset to continue, or choose fewer fields with "fields".'
  );
}
