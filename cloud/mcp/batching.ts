/**
 * Airtable takes at most 10 records per write request (airtable.com/developers/web/api/create-records),
 * so tools split any write into batches of 10, sent one after the other (the per-base limit is
 * 5 requests per second anyway). If a batch fails, the error says how much was already done.
 */
import { MAX_RECORDS_PER_WRITE } from '../airtable/api-client';
import { PartialWriteError } from './tool-errors';

export function chunk<T>(items: readonly T[], size = MAX_RECORDS_PER_WRITE): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Runs `write` on each batch in order and concatenates the results. On a failure after some
 * batches succeeded, throws a PartialWriteError whose text lists the ids already written.
 */
export async function writeInBatches<T, R extends { id: string }>(
  items: readonly T[],
  verb: string,
  write: (batch: T[]) => Promise<R[]>,
): Promise<R[]> {
  const done: R[] = [];
  for (const batch of chunk(items)) {
    try {
      done.push(...(await write(batch)));
    } catch (err) {
      if (done.length === 0) throw err;
      const ids = done.map((r) => r.id).join(', ');
      throw new PartialWriteError(
        err,
        `${done.length} of ${items.length} records were ${verb} before this error (ids: ${ids}); the remaining ${items.length - done.length} were not.`,
      );
    }
  }
  return done;
}
