/**
 * `refresh`: the refresh storm. One OAuth user; the stored access token is made to look expired
 * with the master key (as in test/integration/refresh-single-flight.test.ts), and once the
 * processes' credential caches have lapsed, 100 tool calls
 * land at once, half on each of two server processes sharing the database. Airtable rotates
 * refresh tokens, so a second concurrent refresh would burn the grant: the fake must see exactly
 * one refresh per storm, and every call must succeed. Baseline: the same 100 calls with a valid
 * token, so the ratio is the latency the storm adds (everyone waits for the one refresh).
 */
import { startBenchEnv, type BenchEnv } from './bench-env';
import { burst, percentile, round, type BurstFigures, type PlannedCall } from './bench-mcp';
import type { BenchOutcome, Goal, Row } from './bench-report';
import { createUserWithBases, expireStoredAccessToken, oauthSession } from './bench-users';

export interface RefreshOptions {
  quick: boolean;
  log: (line: string) => void;
}

const CALLS = 100;
/** CREDENTIAL_CACHE_TTL_MS's default (cloud/config.ts), plus a margin. */
const CREDENTIAL_CACHE_WAIT_MS = 5_500;

interface Storm {
  figures: BurstFigures;
  refreshes: number;
}

export async function benchRefresh(opts: RefreshOptions): Promise<BenchOutcome> {
  const rounds = opts.quick ? 1 : 3;
  const env = await startBenchEnv();
  try {
    const a = await env.startServer();
    const b = await env.startServer();
    const { userId } = await createUserWithBases(env.admin, 1);
    const session = await oauthSession(env.admin, a.url, userId);
    const plan = (tag: string): PlannedCall[] =>
      Array.from({ length: CALLS }, (_, i) => ({
        url: i % 2 === 0 ? a.url : b.url,
        token: session,
        name: 'whoami',
        args: {},
        id: `${tag}-${i}`,
        check: (r) => (r.structuredContent?.airtableUserId === userId ? undefined : 'wrong'),
      }));
    const storm = async (tag: string): Promise<Storm> => {
      const before = await refreshCount(env, userId);
      const figures = await burst(plan(tag), 'together');
      return { figures, refreshes: (await refreshCount(env, userId)) - before };
    };

    await burst(plan('warm'), 'together'); // both processes warm (JIT, pools)
    const baseline = await storm('baseline');
    opts.log(`  valid token: ${describe(baseline)}`);
    const storms: Storm[] = [];
    for (let r = 0; r < rounds; r++) {
      await expireStoredAccessToken(a.url, env.secrets, userId);
      // Each process keeps the decrypted credential it last used for CREDENTIAL_CACHE_TTL_MS
      // (cloud/cache/credential-cache.ts): a change made straight in the database, as here, is
      // seen once that has passed (a refresh by another process is seen at once through
      // Airtable's 401). Without the wait the storm would run on the still valid cached token.
      await new Promise((resolve) => setTimeout(resolve, CREDENTIAL_CACHE_WAIT_MS));
      const s = await storm(`storm${r}`);
      storms.push(s);
      opts.log(`  storm ${r + 1}: ${describe(s)}`);
    }
    // The grant survived: a later call works with the rotated pair, on either process.
    const after = await burst(plan('after').slice(0, 2), 'one-by-one');
    return outcome(baseline, storms, after.errors === 0);
  } finally {
    await env.stop();
  }
}

async function refreshCount(env: BenchEnv, userId: string): Promise<number> {
  return (await env.admin.stats()).refreshesByUser[userId] ?? 0;
}

function describe(s: Storm): string {
  const f = s.figures;
  return `${s.refreshes} refresh(es), errors ${f.errors}, p50 ${round(percentile(f.latenciesMs, 50), 0)} ms, p99 ${round(percentile(f.latenciesMs, 99), 0)} ms, all done in ${round(f.wallMs, 0)} ms`;
}

function outcome(baseline: Storm, storms: Storm[], grantAlive: boolean): BenchOutcome {
  const lat = storms.flatMap((s) => s.figures.latenciesMs);
  const wall = storms.reduce((n, s) => n + s.figures.wallMs, 0) / storms.length;
  const errors = storms.reduce((n, s) => n + s.figures.errors + s.figures.wrongUser, 0);
  const counts = storms.map((s) => s.refreshes);
  const allOne = counts.every((c) => c === 1);
  const p = (v: number[], q: number) => round(percentile(v, q), 1);
  const label = `${CALLS} calls, expired token, 2 processes`;
  const rows: Row[] = [
    {
      measure: `${label}: upstream refreshes per storm`,
      value: counts.join(', '),
      baseline: `valid token: ${baseline.refreshes}`,
      goal: '= 1 each',
      met: allOne,
    },
    {
      measure: `${label}: errors`,
      value: String(errors),
      baseline: `of ${CALLS * storms.length} calls`,
      goal: '= 0',
      met: errors === 0,
    },
    {
      measure: `${label}: p99 latency`,
      value: `${p(lat, 99)} ms`,
      baseline: `valid token: ${p(baseline.figures.latenciesMs, 99)} ms`,
      ratio: round(percentile(lat, 99) / percentile(baseline.figures.latenciesMs, 99)),
    },
    {
      measure: `${label}: time until all answered`,
      value: `${round(wall, 0)} ms`,
      baseline: `valid token: ${round(baseline.figures.wallMs, 0)} ms`,
      ratio: round(wall / baseline.figures.wallMs),
    },
  ];
  const samples = storms.flatMap((s) => s.figures.samples).slice(0, 5);
  const goals: Goal[] = [
    {
      description: 'exactly one upstream refresh per storm',
      met: allOne,
      kind: 'correctness',
      ...(allOne ? {} : { why: `refreshes per storm: ${counts.join(', ')}` }),
    },
    {
      description: 'zero errors during the storms',
      met: errors === 0,
      kind: 'correctness',
      ...(errors ? { why: samples.join('; ') } : {}),
    },
    { description: 'the grant still works afterwards', met: grantAlive, kind: 'correctness' },
    {
      description: 'no refresh while the token is valid',
      met: baseline.refreshes === 0 && baseline.figures.errors === 0,
      kind: 'correctness',
    },
  ];
  const stats = (s: Storm) => ({
    refreshes: s.refreshes,
    wallMs: round(s.figures.wallMs, 1),
    p50Ms: p(s.figures.latenciesMs, 50),
    p99Ms: p(s.figures.latenciesMs, 99),
    errors: s.figures.errors,
    samples: s.figures.samples,
  });
  return {
    name: 'refresh',
    title: 'Refresh storm over two processes',
    rows,
    goals,
    data: { calls: CALLS, baseline: stats(baseline), storms: storms.map(stats), grantAlive },
  };
}
