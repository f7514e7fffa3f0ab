/**
 * Reads every matching record page by page within a budget of records and time, for tools that
 * look at a whole table (summarize_records). Airtable serves 100 records per request and about 5
 * requests per second per base (airtable.com/developers/web/api/rate-limits), so 10,000 records
 * take about 20 s: the budget keeps a call inside what an MCP client waits for, and the scan says
 * exactly where and why it stopped. The time budget also cuts a request that is waiting on the
 * rate limiter or on Airtable.
 */
import type { AirtableApi } from '../airtable/api-client';
import type { AirtableRecord, ListRecordsParams } from '../airtable/api-schemas';

export interface ScanBudget {
  maxRecords: number;
  maxMs: number;
}

export interface ScanResult {
  scanned: number;
  requests: number;
  elapsedMs: number;
  complete: boolean;
  stoppedBecause?: 'maxRecords' | 'maxSeconds';
}

class DeadlineReached extends Error {
  override name = 'DeadlineReached';
}

export async function scanRecords(
  api: AirtableApi,
  baseId: string,
  table: string,
  params: Omit<ListRecordsParams, 'pageSize' | 'offset' | 'maxRecords'>,
  budget: ScanBudget,
  onPage: (records: readonly AirtableRecord[]) => void,
  opts: { signal: AbortSignal; now?: () => number },
): Promise<ScanResult> {
  const now = opts.now ?? Date.now;
  const started = now();
  // One signal for both the caller's cancel and our deadline (AbortSignal.any is not in Node 18).
  const both = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    both.abort(new DeadlineReached());
  }, budget.maxMs);
  const onCancel = () => both.abort(opts.signal.reason);
  if (opts.signal.aborted) onCancel();
  else opts.signal.addEventListener('abort', onCancel, { once: true });
  const signal = both.signal;
  let scanned = 0;
  let requests = 0;
  let offset: string | undefined;
  const done = (complete: boolean, stoppedBecause?: ScanResult['stoppedBecause']): ScanResult => ({
    scanned,
    requests,
    elapsedMs: now() - started,
    complete,
    ...(stoppedBecause ? { stoppedBecause } : {}),
  });
  try {
    for (;;) {
      if (scanned >= budget.maxRecords) return done(false, 'maxRecords');
      if (timedOut) return done(false, 'maxSeconds');
      const pageSize = Math.min(100, budget.maxRecords - scanned);
      let page;
      try {
        requests++;
        page = await api.listRecords(
          baseId,
          table,
          { ...params, pageSize, ...(offset ? { offset } : {}) },
          { signal },
        );
      } catch (err) {
        if (timedOut && !opts.signal.aborted) {
          requests--; // cut short: it returned nothing
          return done(false, 'maxSeconds');
        }
        throw err;
      }
      scanned += page.records.length;
      onPage(page.records);
      if (!page.offset) return done(true);
      offset = page.offset;
    }
  } finally {
    clearTimeout(timer);
    opts.signal.removeEventListener('abort', onCancel);
  }
}
