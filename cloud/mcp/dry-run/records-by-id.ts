/**
 * Reading records by id in bulk for dry runs: list-records with filterByFormula
 * OR(RECORD_ID() = "rec...", ...) 50 ids at a time (one request each, where get-record would take
 * one per record), so 1000 ids cost 20 requests. Ids not in the table are simply not returned.
 */
import type { AirtableApi } from '../../airtable/api-client';
import type { AirtableRecord } from '../../airtable/api-schemas';
import { formulaStringLiteral } from '../../airtable/formula';
import { chunk } from '../batching';

const IDS_PER_REQUEST = 50;

export async function recordsById(
  api: AirtableApi,
  baseId: string,
  table: string,
  ids: readonly string[],
  opts: { signal: AbortSignal; fields?: string[] },
): Promise<Map<string, AirtableRecord>> {
  const found = new Map<string, AirtableRecord>();
  for (const part of chunk([...new Set(ids)], IDS_PER_REQUEST)) {
    const formula = `OR(${part.map((id) => `RECORD_ID() = ${formulaStringLiteral(id)}`).join(', ')})`;
    let offset: string | undefined;
    do {
      const page = await api.listRecords(
        baseId,
        table,
        {
          filterByFormula: formula,
          pageSize: 100,
          ...(opts.fields ? { fields: opts.fields } : {}),
          ...(offset ? { offset } : {}),
        },
        { signal: opts.signal },
      );
      for (const r of page.records) found.set(r.id, r);
      offset = page.offset;
    } while (offset);
  }
  return found;
}
