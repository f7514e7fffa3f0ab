/**
 * `cleanup`: scripts/bench/bench-cleanup.ts (the cleanupExpiredData job against the seed's own loop, on
 * its own stack) turned into report rows. It runs parse-server inside this process, so the bench
 * runner schedules it last.
 */
import { benchCleanup } from './bench-cleanup';
import type { BenchOutcome } from './bench-report';

export interface CleanupOptions {
  quick: boolean;
  /** Rows per class and state (expired, live); the default fits the few-minute budget on 2 cores. */
  n?: number;
  log: (line: string) => void;
}

export const DEFAULT_CLEANUP_N = 1000;

export async function benchCleanupRun(opts: CleanupOptions): Promise<BenchOutcome> {
  const n = opts.n ?? (opts.quick ? 100 : DEFAULT_CLEANUP_N);
  const r = await benchCleanup({ n });
  opts.log(
    `  job ${r.job.deletes} deletes in ${r.job.ms} ms; seed-style loop ${r.seedStyle.deletes} in ${r.seedStyle.ms} ms`,
  );
  const label = `${3 * n} expired rows (3 classes), ${3 * n} live`;
  return {
    name: 'cleanup',
    title: 'Cleanup throughput',
    rows: [
      {
        measure: `${label}: deletes/s`,
        value: `cleanupExpiredData: ${r.job.perSecond}`,
        baseline: `seed's loop: ${r.seedStyle.perSecond}`,
        ratio: r.speedup,
      },
      {
        measure: `${label}: peak RSS`,
        value: `${r.job.peakRssMb} MB (from ${r.job.startRssMb})`,
        baseline: `seed's loop: ${r.seedStyle.peakRssMb} MB (from ${r.seedStyle.startRssMb})`,
        ratio: Math.round((r.job.peakRssMb / r.seedStyle.peakRssMb) * 100) / 100,
      },
      {
        measure: 'every expired row gone, every live row kept',
        value: String(r.liveSurvived),
        baseline: '-',
        goal: '= true',
        met: r.liveSurvived,
      },
    ],
    goals: [
      {
        description: 'the job removes every expired row and keeps every live one',
        met: r.liveSurvived,
        kind: 'correctness',
      },
    ],
    data: r,
  };
}
