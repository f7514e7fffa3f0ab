/**
 * `npm run bench [-- <name>...] [--quick] [--cleanup-n N]`: the benchmarks of issue 8.
 *
 *   auth         authenticated /mcp against the same build with authentication bypassed
 *   peer         authenticated /mcp against airtable-mcp-server 1.14.0 (stateless HTTP mode)
 *   concurrency  200 users with their own PATs and bases calling at once; every answer checked
 *   refresh      100 calls with an expired token over two processes: one upstream refresh
 *   cleanup      the cleanupExpiredData job against the seed's loop
 *   bundle       the Cloud Code bundle's size and load cost against loading express + parse-server
 *   profile      (only when named) a CPU profile of the server under tools/call list_records
 *                (--call tools/list for tools/list), summarised by stage; .data/profiles/
 *
 * Each bench boots its own world (embedded PostgreSQL, the fake, server processes on free ports of
 * 127.0.0.1) and tears it down; every figure is a ratio against a baseline measured in the same
 * run. Prints a table and writes bench-results/bench-<time>.json. Exit code 1 when a correctness
 * goal fails (errors, misrouted answers, refresh count) or a bench crashes; missed performance
 * goals are reported with the reason, not turned into a failure.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { benchBundle } from './bench-bundle';
import { benchCleanupRun } from './bench-cleanup-run';
import { benchConcurrency } from './bench-concurrency';
import { benchProfile } from './bench-profile';
import { stopAllBenchEnvs } from './bench-env';
import { benchRefresh } from './bench-refresh';
import { renderGoals, renderTable, writeResults, type BenchOutcome } from './bench-report';
import { benchThroughput } from './bench-throughput';

const NAMES = ['bundle', 'auth', 'peer', 'concurrency', 'refresh', 'cleanup', 'profile'] as const;
type Name = (typeof NAMES)[number];
/** Run when no name is given: the profile slows the process it profiles, so only by name. */
const DEFAULT_NAMES: Name[] = NAMES.filter((n) => n !== 'profile');
const PROFILE_CALLS = ['list_records', 'tools/list'] as const;

const USAGE = `Usage: npm run bench -- [${NAMES.join('|')} ...] [--quick] [--cleanup-n N] [--call list_records|tools/list]
  no name: all but profile (a few minutes on 2 cores); --quick: a fast smoke of the same code paths;
  --call: what the profile bench drives (default list_records).`;

function parse(): {
  names: Name[];
  quick: boolean;
  cleanupN?: number;
  call: (typeof PROFILE_CALLS)[number];
} {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      quick: { type: 'boolean', default: false },
      'cleanup-n': { type: 'string' },
      call: { type: 'string', default: 'list_records' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const unknown = positionals.filter((p) => !(NAMES as readonly string[]).includes(p));
  if (unknown.length) throw new Error(`unknown bench ${unknown.join(', ')}\n${USAGE}`);
  const cleanupN = values['cleanup-n'] === undefined ? undefined : Number(values['cleanup-n']);
  if (cleanupN !== undefined && !(Number.isInteger(cleanupN) && cleanupN > 0))
    throw new Error(`--cleanup-n must be a positive integer\n${USAGE}`);
  const call = PROFILE_CALLS.find((c) => c === values.call);
  if (!call) throw new Error(`--call must be one of ${PROFILE_CALLS.join(', ')}\n${USAGE}`);
  return {
    names: positionals.length ? [...new Set(positionals as Name[])] : DEFAULT_NAMES,
    quick: values.quick,
    call,
    ...(cleanupN === undefined ? {} : { cleanupN }),
  };
}

/** A bench that threw still gets a row, and fails the run. */
function crashed(name: string, err: unknown): BenchOutcome {
  const message = err instanceof Error ? err.message : String(err);
  return {
    name,
    title: `${name} (crashed)`,
    rows: [{ measure: 'ran to completion', value: 'no', baseline: '-', goal: '= yes', met: false }],
    goals: [{ description: 'ran to completion', met: false, kind: 'correctness', why: message }],
    data: { error: message },
  };
}

async function main(): Promise<number> {
  const { names, quick, cleanupN, call } = parse();
  const log = (line: string) => console.log(line);
  const loadAtStart = os.loadavg();
  log(
    `[bench] ${os.cpus().length} cores, load average ${loadAtStart.map((l) => l.toFixed(1)).join(' ')}`,
  );
  const outcomes: BenchOutcome[] = [];
  const run = async (label: string, fn: () => Promise<BenchOutcome[]>) => {
    const started = Date.now();
    log(`[bench] ${label}${quick ? ' (quick)' : ''}`);
    try {
      outcomes.push(...(await fn()));
    } catch (err) {
      console.error(`[bench] ${label} failed:`, err instanceof Error ? err.message : err);
      for (const n of label.split('+')) outcomes.push(crashed(n, err));
    }
    log(`[bench] ${label} took ${Math.round((Date.now() - started) / 1000)} s`);
  };

  // First: it boots no world, and measures process start-up best on a machine not yet warm from the others.
  if (names.includes('bundle'))
    await run('bundle', async () => [await benchBundle({ quick, log })]);
  const auth = names.includes('auth');
  const peer = names.includes('peer');
  // auth and peer share one world and the authenticated measurements.
  if (auth || peer)
    await run([auth && 'auth', peer && 'peer'].filter(Boolean).join('+'), () =>
      benchThroughput({ auth, peer, quick, log }),
    );
  if (names.includes('concurrency'))
    await run('concurrency', async () => [await benchConcurrency({ quick, log })]);
  if (names.includes('profile'))
    await run('profile', async () => [await benchProfile({ quick, call, log })]);
  if (names.includes('refresh'))
    await run('refresh', async () => [await benchRefresh({ quick, log })]);
  // Last: it runs parse-server in this process.
  // Asked for by name, the cleanup bench uses the N = 100,000 rows per class (many
  // minutes); inside a full run it keeps the smaller default so the whole run stays short.
  const soleCleanup = names.length === 1 && names[0] === 'cleanup' && !quick;
  const n = cleanupN ?? (soleCleanup ? 100_000 : undefined);
  if (names.includes('cleanup'))
    await run('cleanup', async () => [await benchCleanupRun({ quick, log, ...(n ? { n } : {}) })]);

  console.log(`\n${renderTable(outcomes)}\n\n${renderGoals(outcomes)}`);
  console.log(`\nwrote ${writeResults(outcomes, { quick, loadAtStart })}`);
  const failed = outcomes.some((o) => o.goals.some((g) => g.kind === 'correctness' && !g.met));
  return failed ? 1 : 0;
}

/** Stops the databases of running worlds (server processes die with us), then exits. */
async function abort(code: number, why: string): Promise<never> {
  console.error(`[bench] ${why}: stopping`);
  await Promise.race([
    stopAllBenchEnvs().catch(() => {}),
    new Promise((r) => setTimeout(r, 20_000)),
  ]);
  process.exit(code);
}

// Bounded in time whatever happens: the full run takes a few minutes on an idle machine, --quick
// well under one. On this project's shared 2-core machine at load average 13-15 the bundle,
// auth + peer and concurrency benches alone took 24 minutes: 25 cut a full run short.
const LIMIT_MS = (process.argv.includes('--quick') ? 6 : 50) * 60_000;
setTimeout(() => void abort(1, `over ${LIMIT_MS / 60_000} minutes`), LIMIT_MS).unref();
process.once('SIGINT', () => void abort(130, 'interrupted'));
process.once('SIGTERM', () => void abort(143, 'terminated'));

main()
  .then((code) => process.exit(code))
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  });
