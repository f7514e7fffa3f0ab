/**
 * Job `cleanupExpiredData` (the seed's name; Back4App: Server Settings -> Background Jobs, daily;
 * locally scripts/dev/start-hooks.ts schedules it). Parse has no TTL indexes (platform-facts.md), so
 * this is what removes expired rows, in every class of ours that has an expires_at (the token
 * vault's and the OAuth server's). The seed's version found with Parse's default limit and so
 * stopped at 100 rows per class; this one pages through EVERY expired row:
 *
 * - `expires_at < cutoff` ascending with a keyset cursor (parse-ops.ts expiredPages), 1000 rows
 *   per page, only the fields it needs: the expires_at index serves it, memory stays bounded;
 * - deletes through /batch requests (50 each, 2 at a time: parse-server spends CPU per delete, so
 *   more parallelism bought nothing in scripts/bench/bench-cleanup.ts and would crowd out live traffic);
 * - rows written after the job started are never touched (cutoff = start time), and a row another
 *   run or a logout deleted first counts as `alreadyGone`, not as an error (two runs may overlap);
 * - UserToken: a credential that a live session or a live OAuth grant still uses is kept (`kept`):
 *   for a per-connection row, sessions and grants naming its id; for a row of the earlier
 *   one-row-per-user layout, any live session or grant of its user. Every delete is conditional
 *   on the row still being expired when parse-server re-reads it (triggers.ts).
 */
import { log } from '../log';
import { count } from '../observability/metrics';
import { getParse, type ParseSdk } from '../parse-runtime';
import { CLASS_DEFINITIONS } from '../schema/definitions';
import { OAUTH_CLASSES } from '../oauth-server/store/parse-store';
import { CLASSES } from '../storage/codec';
import {
  destroyObjects,
  expiredPages,
  ONLY_IF_EXPIRED_BEFORE,
  type ParseObject,
} from '../storage/parse-ops';

export const CLEANUP_JOB = 'cleanupExpiredData';

export interface ClassCleanup {
  deleted: number;
  alreadyGone: number;
  /** Expired tokens kept because a live session still needs them (or renewed meanwhile). */
  kept: number;
  failed: number;
}

export interface CleanupResult {
  cutoff: string;
  durationMs: number;
  classes: Record<string, ClassCleanup>;
}

export interface CleanupOptions {
  Parse: ParseSdk;
  /** Rows with expires_at before this instant are expired (the job's start). */
  now: Date;
  pageSize?: number;
  batchSize?: number;
  concurrency?: number;
  progress?: (message: string) => Promise<void>;
}

/**
 * Every class of ours with an expires_at (schema/*.json), UserToken last: tokens are checked
 * against the sessions still alive once the expired ones are gone.
 */
export const CLEANUP_ORDER: readonly string[] = [
  ...CLASS_DEFINITIONS.filter((d) => d.fields.expires_at && d.className !== CLASSES.token).map(
    (d) => d.className,
  ),
  CLASSES.token,
];

/** Values of `field` (among `values`) that a live row of `className` still carries at `now`. */
async function liveValues(
  Parse: ParseSdk,
  className: string,
  field: string,
  values: readonly string[],
  now: Date,
): Promise<Set<string>> {
  const live = new Set<string>();
  for (let i = 0; i < values.length; i += 500) {
    const query = new Parse.Query(className)
      .containedIn(field, values.slice(i, i + 500))
      .greaterThan('expires_at', now);
    if (className === OAUTH_CLASSES.grant) query.notEqualTo('revoked', true);
    const found: unknown[] = await query.distinct(field);
    for (const v of found) if (typeof v === 'string') live.add(v);
  }
  return live;
}

/** The credentials of `page` that nothing alive uses any more. */
async function unusedCredentials(Parse: ParseSdk, page: ParseObject[], now: Date) {
  const perConnection = page.filter((row) => row.get('per_connection') === true);
  const legacy = page.filter((row) => row.get('per_connection') !== true);
  const ids = perConnection.map((row) => row.id ?? '').filter(Boolean);
  const userIds = [...new Set(legacy.map((row) => String(row.get('user_id') ?? '')))];
  const used = new Set<string>();
  for (const cls of [CLASSES.session, OAUTH_CLASSES.grant]) {
    for (const id of await liveValues(Parse, cls, 'credential_id', ids, now)) used.add(id);
    for (const u of await liveValues(Parse, cls, 'user_id', userIds, now)) used.add(`user:${u}`);
  }
  return [
    ...perConnection.filter((row) => !used.has(row.id ?? '')),
    ...legacy.filter((row) => !used.has(`user:${String(row.get('user_id') ?? '')}`)),
  ];
}

export async function cleanupExpired(opts: CleanupOptions): Promise<CleanupResult> {
  const { Parse, now } = opts;
  const started = Date.now();
  const pageSize = opts.pageSize ?? 1000;
  const classes: Record<string, ClassCleanup> = {};
  const context = { [ONLY_IF_EXPIRED_BEFORE]: now.toISOString() };
  for (const className of CLEANUP_ORDER) {
    const counts: ClassCleanup = { deleted: 0, alreadyGone: 0, kept: 0, failed: 0 };
    classes[className] = counts;
    const select = className === CLASSES.token ? ['user_id', 'per_connection'] : [];
    for await (const page of expiredPages(Parse, className, { before: now, pageSize, select })) {
      const doomed = className === CLASSES.token ? await unusedCredentials(Parse, page, now) : page;
      counts.kept += page.length - doomed.length;
      const result = await destroyObjects(Parse, doomed, {
        batchSize: opts.batchSize ?? 50,
        concurrency: opts.concurrency ?? 2,
        context,
      });
      counts.deleted += result.deleted;
      count('cleanup_rows_deleted', result.deleted);
      if (className === OAUTH_CLASSES.client) count('oauth_clients_removed', result.deleted);
      counts.alreadyGone += result.alreadyGone;
      counts.kept += result.kept;
      counts.failed += result.failed;
      if (result.failed > 0)
        log.error(
          { className, errors: result.errors.map((e) => String((e as Error).message ?? e)) },
          'cleanup: some deletes failed; they stay for the next run',
        );
      await opts.progress?.(`${className}: ${JSON.stringify(counts)}`);
    }
  }
  return { cutoff: now.toISOString(), durationMs: Date.now() - started, classes };
}

export function registerCleanupJob(): void {
  const Parse = getParse();
  Parse.Cloud.job(CLEANUP_JOB, async (request) => {
    const progress = async (message: string) => {
      // parse-server's setMessage returns a promise (StatusHandler.js) though typed void; awaited
      // so a late progress write never lands after the final status.
      await Promise.resolve(request.message(message) as unknown).catch(() => undefined);
    };
    const result = await cleanupExpired({ Parse, now: new Date(), progress });
    const failed = Object.values(result.classes).reduce((n, c) => n + c.failed, 0);
    const summary = JSON.stringify(result);
    if (failed > 0) {
      log.error({ job: CLEANUP_JOB, result }, 'cleanup finished with failures');
      throw new Error(summary); // _JobStatus: failed, with the counts as its message
    }
    log.info({ job: CLEANUP_JOB, result }, 'cleanup finished');
    return summary;
  });
}
