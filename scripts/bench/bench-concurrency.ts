/**
 * `concurrency`: 200 people, each signed in with their own PAT (POST /api/auth/direct), each owning
 * one base whose only record carries a marker unique to them, all call tools at the same moment:
 * list_records on their base and whoami, so 400 requests in flight at once. Every answer is
 * checked against its caller: the marker and the Airtable user id must be the caller's own. A
 * misrouted answer (the stateless transport, a shared McpServer, a cached token of someone else)
 * would show up as another person's marker or id. Baseline: the same 400 calls one at a time.
 *
 * Memory (issue 14, item 5): the server's RSS and heap after a full GC (scripts/dev/instance.ts
 * memory probe) once it has started, after the one-at-a-time pass and after every round. Every
 * round has the same 200 people, sessions and bases, so every cache (sessions, rate-limit
 * windows, the per-process tool list) holds all it will ever hold after the one-at-a-time pass:
 * the heap after the last round may exceed the heap after the first by measurement noise only
 * (LEAK_ALLOWANCE_BYTES); more is a leak - memory that grows with requests, not with users.
 */
import { memoryAfterGc, startBenchEnv, type MemoryFigures } from './bench-env';
import { burst, percentile, pool, round, type BurstFigures, type PlannedCall } from './bench-mcp';
import type { BenchOutcome, Goal, Row } from './bench-report';
import { BENCH_TABLE, createUserWithBases, patSession, type BenchUser } from './bench-users';

export interface ConcurrencyOptions {
  quick: boolean;
  log: (line: string) => void;
}

/** Airtable's per-base window is 1 s; the product keeps 1.1 s. Rounds wait it out so no base ever queues. */
const BETWEEN_ROUNDS_MS = 1200;

/**
 * What the heap after a full GC may gain from the first round to the last without being a leak:
 * the noise of that figure between identical rounds (V8's compiled code and type feedback, lazily
 * built internals). Seven rounds here stayed within 1.1 MB of each other, and heap snapshots
 * after each round held the same objects. A leak of 2.5 kB per request (2 MB over the 800 calls of
 * rounds 2 and 3) or more shows.
 */
export const LEAK_ALLOWANCE_BYTES = 2 * 2 ** 20;

export async function benchConcurrency(opts: ConcurrencyOptions): Promise<BenchOutcome> {
  const people = opts.quick ? 50 : 200;
  const rounds = opts.quick ? 1 : 3;
  const env = await startBenchEnv();
  try {
    const server = await env.startServer({ memoryProbe: true });
    const idle = await memoryAfterGc(server);
    const users = await pool(
      8,
      Array.from({ length: people }, () => () => createUserWithBases(env.admin, 1)),
    );
    // One address per person: the per-IP limit on direct sign-in is 20 a minute.
    const sessions = await pool(
      10,
      users.map((u, i) => () => patSession(env.admin, server.url, u, `10.77.${i >> 8}.${i & 255}`)),
    );
    opts.log(`  ${people} people signed in with their own PAT and base`);

    const plan = (tag: string): PlannedCall[] =>
      users.flatMap((u, i) => [
        {
          url: server.url,
          token: sessions[i]!,
          name: 'list_records',
          args: { baseId: u.baseId, table: BENCH_TABLE },
          id: `${tag}-${i}-records`,
          check: (r) => checkRecords(u, r.structuredContent),
        },
        {
          url: server.url,
          token: sessions[i]!,
          name: 'whoami',
          args: {},
          id: `${tag}-${i}-whoami`,
          check: (r) =>
            r.structuredContent?.airtableUserId === u.userId
              ? undefined
              : typeof r.structuredContent?.airtableUserId === 'string'
                ? 'wrong-user'
                : 'wrong',
        },
      ]);

    const sequential = await burst(plan('seq'), 'one-by-one');
    const afterSequential = await memoryAfterGc(server);
    opts.log(`  one at a time: ${summary(sequential)}; ${memory(afterSequential)}`);
    const together: BurstFigures[] = [];
    const afterRounds: MemoryFigures[] = [];
    for (let r = 0; r < rounds; r++) {
      await new Promise((res) => setTimeout(res, BETWEEN_ROUNDS_MS));
      const b = await burst(plan(`r${r}`), 'together');
      together.push(b);
      afterRounds.push(await memoryAfterGc(server));
      opts.log(
        `  round ${r + 1}, ${b.calls} at once: ${summary(b)}; ${memory(afterRounds.at(-1)!)}`,
      );
    }
    return outcome(people, sequential, together, { idle, afterSequential, afterRounds });
  } finally {
    await env.stop();
  }
}

function checkRecords(
  u: BenchUser,
  content: Record<string, unknown> | undefined,
): 'wrong-user' | 'wrong' | undefined {
  const records = (content?.records ?? []) as { fields?: Record<string, unknown> }[];
  const only = records.length === 1 ? records[0]!.fields : undefined;
  if (only?.Marker === u.marker && only.Owner === u.userId) return undefined;
  return JSON.stringify(records).includes('marker-usr') ? 'wrong-user' : 'wrong';
}

const mb = (bytes: number) => round(bytes / 2 ** 20, 1);

function memory(m: MemoryFigures): string {
  return `RSS ${mb(m.rss)} MB, heap ${mb(m.heapUsed)} MB (after GC)`;
}

interface MemoryTrace {
  idle: MemoryFigures;
  afterSequential: MemoryFigures;
  afterRounds: MemoryFigures[];
}

function memoryRows(m: MemoryTrace): { rows: Row[]; goal: Goal } {
  const first = m.afterRounds[0]!;
  const last = m.afterRounds.at(-1)!;
  const growth = last.heapUsed - first.heapUsed;
  const met = growth <= LEAK_ALLOWANCE_BYTES;
  const per = (k: 'rss' | 'heapUsed') => m.afterRounds.map((r) => mb(r[k])).join(' / ');
  const baseline = (k: 'rss' | 'heapUsed') =>
    `after one at a time: ${mb(m.afterSequential[k])} MB (idle: ${mb(m.idle[k])} MB)`;
  const rows: Row[] = [
    {
      measure: `server RSS after each round, MB (after GC)`,
      value: per('rss'),
      baseline: baseline('rss'),
      ratio: round(last.rss / m.afterSequential.rss),
    },
    {
      measure: `server heap after each round, MB (after GC)`,
      value: per('heapUsed'),
      baseline: baseline('heapUsed'),
      ratio: round(last.heapUsed / m.afterSequential.heapUsed),
      goal: `last - first <= ${mb(LEAK_ALLOWANCE_BYTES)} MB`,
      met,
    },
  ];
  const goal: Goal = {
    description: `no leak: heap after the last round at most ${mb(LEAK_ALLOWANCE_BYTES)} MB above the first (same users, every cache already full)`,
    met,
    kind: 'performance',
    ...(met
      ? {}
      : {
          why: `heap grew ${mb(growth)} MB from round 1 to round ${m.afterRounds.length} (${per('heapUsed')} MB); RSS ${per('rss')} MB`,
        }),
  };
  return { rows, goal };
}

function summary(b: BurstFigures): string {
  return `${round(b.calls / (b.wallMs / 1000), 0)} calls/s, p50 ${round(percentile(b.latenciesMs, 50), 0)} ms, p99 ${round(percentile(b.latenciesMs, 99), 0)} ms, errors ${b.errors}, wrong user ${b.wrongUser}`;
}

function outcome(
  people: number,
  seq: BurstFigures,
  rounds: BurstFigures[],
  mem: MemoryTrace,
): BenchOutcome {
  const all = rounds.flatMap((b) => b.latenciesMs);
  const wall = rounds.reduce((n, b) => n + b.wallMs, 0);
  const calls = rounds.reduce((n, b) => n + b.calls, 0);
  const errors = rounds.reduce((n, b) => n + b.errors, 0) + seq.errors;
  const wrongUser = rounds.reduce((n, b) => n + b.wrongUser, 0) + seq.wrongUser;
  const perSecond = calls / (wall / 1000);
  const seqPerSecond = seq.calls / (seq.wallMs / 1000);
  const p = (v: number[], q: number) => round(percentile(v, q), 1);
  const label = `${people * 2} calls at once (${rounds.length} round${rounds.length === 1 ? '' : 's'})`;
  const rows: Row[] = [
    {
      measure: `${label}: calls/s`,
      value: `${round(perSecond, 0)}`,
      baseline: `one at a time: ${round(seqPerSecond, 0)}`,
      ratio: round(perSecond / seqPerSecond),
    },
    {
      measure: `${label}: p50 latency`,
      value: `${p(all, 50)} ms`,
      baseline: `one at a time: ${p(seq.latenciesMs, 50)} ms`,
      ratio: round(percentile(all, 50) / percentile(seq.latenciesMs, 50)),
    },
    {
      measure: `${label}: p99 latency`,
      value: `${p(all, 99)} ms`,
      baseline: `one at a time: ${p(seq.latenciesMs, 99)} ms`,
      ratio: round(percentile(all, 99) / percentile(seq.latenciesMs, 99)),
    },
    {
      measure: 'errors',
      value: String(errors),
      baseline: `of ${calls + seq.calls} calls`,
      goal: '= 0',
      met: errors === 0,
    },
    {
      measure: "answers carrying another user's data",
      value: String(wrongUser),
      baseline: `of ${calls + seq.calls} calls`,
      goal: '= 0',
      met: wrongUser === 0,
    },
  ];
  const leak = memoryRows(mem);
  rows.push(...leak.rows);
  const samples = [seq, ...rounds].flatMap((b) => b.samples).slice(0, 5);
  const goals: Goal[] = [
    {
      description: `${people} users at once: zero errors`,
      met: errors === 0,
      kind: 'correctness',
      ...(errors ? { why: samples.join('; ') } : {}),
    },
    {
      description: 'every answer went to its own user',
      met: wrongUser === 0,
      kind: 'correctness',
      ...(wrongUser ? { why: samples.join('; ') } : {}),
    },
    leak.goal,
  ];
  const stats = (b: BurstFigures) => ({
    calls: b.calls,
    wallMs: round(b.wallMs, 1),
    p50Ms: p(b.latenciesMs, 50),
    p99Ms: p(b.latenciesMs, 99),
    errors: b.errors,
    wrongUser: b.wrongUser,
    samples: b.samples,
  });
  return {
    name: 'concurrency',
    title: `${people} users calling at once`,
    rows,
    goals,
    data: { people, sequential: stats(seq), rounds: rounds.map(stats), memory: mem },
  };
}
