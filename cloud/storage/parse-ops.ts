/**
 * Small master-key helpers over the global Parse SDK shared by ParseStorage and the jobs: bulk
 * deletes that count "already gone" separately (two cleanups, or a cleanup and a logout, may race
 * for the same row), and keyset pagination that never depends on Parse's default limit of 100.
 */
import type { ParseSdk } from '../parse-runtime';
import { isObjectNotFound, PARSE_CODES } from './errors';

export type ParseObject = InstanceType<ParseSdk['Object']>;
export type ParseQuery = InstanceType<ParseSdk['Query']>;

export const MASTER = { useMasterKey: true } as const;

/**
 * Request context that turns a delete into "delete only if still expired before <ISO time>": the
 * beforeDelete trigger (cloud/triggers.ts) checks the row parse-server re-reads right before the
 * DELETE, so a token a sign-in just renewed is not removed by a cleanup that read it earlier.
 */
export const ONLY_IF_EXPIRED_BEFORE = 'onlyIfExpiredBefore';
/** The beforeDelete trigger's refusal for such a delete; counted as `kept`, not as a failure. */
export const STILL_LIVE_MESSAGE = 'not deleted: the record is no longer expired';

/**
 * Consume-once: deletes `row` and says whether this caller's delete removed it. Of two concurrent
 * consumers exactly one wins; the other gets OBJECT_NOT_FOUND from parse-server (both adapters).
 */
export async function destroyWins(row: ParseObject): Promise<boolean> {
  try {
    await row.destroy(MASTER);
    return true;
  } catch (err) {
    if (isObjectNotFound(err)) return false;
    throw err;
  }
}

export interface DestroyCounts {
  deleted: number;
  /** Deleted by someone else between our read and our delete (OBJECT_NOT_FOUND). */
  alreadyGone: number;
  /** Refused by the beforeDelete trigger because the row was renewed meanwhile. */
  kept: number;
  /** Refused for another reason (a trigger, a database error): kept, reported. */
  failed: number;
}

/**
 * Deletes `objects` through `/batch` requests of `batchSize` (Parse.Object.destroyAll), running
 * `concurrency` of them at once. Never throws for per-object errors; they are counted.
 */
export async function destroyObjects(
  Parse: ParseSdk,
  objects: readonly ParseObject[],
  opts: { batchSize?: number; concurrency?: number; context?: Record<string, unknown> } = {},
): Promise<DestroyCounts & { errors: unknown[] }> {
  const batchSize = opts.batchSize ?? 50;
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const counts = { deleted: 0, alreadyGone: 0, kept: 0, failed: 0, errors: [] as unknown[] };
  const slices: ParseObject[][] = [];
  for (let i = 0; i < objects.length; i += batchSize) slices.push(objects.slice(i, i + batchSize));
  let next = 0;
  const worker = async () => {
    for (let slice = slices[next++]; slice; slice = slices[next++]) {
      try {
        await Parse.Object.destroyAll(slice, {
          ...MASTER,
          batchSize,
          ...(opts.context ? { context: opts.context } : {}),
        });
        counts.deleted += slice.length;
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        const errors = (err as { errors?: unknown }).errors;
        if (code !== PARSE_CODES.AGGREGATE_ERROR || !Array.isArray(errors)) throw err;
        for (const e of errors) {
          if (isObjectNotFound(e)) counts.alreadyGone++;
          else if ((e as { message?: unknown }).message === STILL_LIVE_MESSAGE) counts.kept++;
          else {
            counts.failed++;
            if (counts.errors.length < 5) counts.errors.push(e);
          }
        }
        counts.deleted += slice.length - errors.length;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, slices.length) }, worker));
  return counts;
}

/**
 * Pages through `className` in (expires_at, objectId) order, strictly after the previous page,
 * so rows a caller keeps (or fails to delete) are never fetched twice and equal timestamps
 * spanning a page boundary are not skipped. `expires_at < before` uses the expires_at index.
 */
export async function* expiredPages(
  Parse: ParseSdk,
  className: string,
  opts: { before: Date; pageSize: number; select: readonly string[] },
): AsyncGenerator<ParseObject[]> {
  let cursor: { expiresAt: Date; id: string } | undefined;
  for (;;) {
    let query: ParseQuery;
    if (!cursor) {
      query = new Parse.Query(className).lessThan('expires_at', opts.before);
    } else {
      const later = new Parse.Query(className)
        .greaterThan('expires_at', cursor.expiresAt)
        .lessThan('expires_at', opts.before);
      const sameInstant = new Parse.Query(className)
        .equalTo('expires_at', cursor.expiresAt)
        .greaterThan('objectId', cursor.id);
      query = Parse.Query.or(later, sameInstant);
    }
    query
      .ascending('expires_at')
      .addAscending('objectId')
      .limit(opts.pageSize)
      .select(...opts.select, 'expires_at');
    const page = await query.find(MASTER);
    if (page.length === 0) return;
    const last = page[page.length - 1]!;
    const lastExpiry = last.get('expires_at') as unknown;
    if (!(lastExpiry instanceof Date) || !last.id) return; // cannot advance safely
    cursor = { expiresAt: lastExpiry, id: last.id };
    yield page;
    if (page.length < opts.pageSize) return;
  }
}

/** Pages through every row of `className` in objectId order (resumable full scans). */
export async function* allPages(
  Parse: ParseSdk,
  className: string,
  opts: { pageSize: number; select: readonly string[] },
): AsyncGenerator<ParseObject[]> {
  let after: string | undefined;
  for (;;) {
    const query = new Parse.Query(className)
      .ascending('objectId')
      .limit(opts.pageSize)
      .select(...opts.select);
    if (after !== undefined) query.greaterThan('objectId', after);
    const page = await query.find(MASTER);
    if (page.length === 0) return;
    const lastId = page[page.length - 1]!.id;
    if (!lastId) return;
    after = lastId;
    yield page;
    if (page.length < opts.pageSize) return;
  }
}
