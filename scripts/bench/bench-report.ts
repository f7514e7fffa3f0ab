/**
 * What every benchmark hands back, the table printed at the end, and the JSON file under
 * bench-results/. Every figure sits next to the baseline it was measured against in the same run
 * and the ratio between them: numbers from different machines or runs are never compared.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../build/build';

export interface Row {
  measure: string;
  value: string;
  baseline: string;
  /** value / baseline (for latencies: how many times slower), when both are numbers. */
  ratio?: number;
  /** The goal this row is judged by, e.g. ">= 0.85", and whether it was met. */
  goal?: string;
  met?: boolean;
}

export interface Goal {
  description: string;
  met: boolean;
  /** correctness goals (errors, misrouted answers, refresh count) fail the run; performance goals are reported. */
  kind: 'correctness' | 'performance';
  /** When missed: why, from what this run measured. */
  why?: string;
}

export interface BenchOutcome {
  name: string;
  title: string;
  rows: Row[];
  goals: Goal[];
  /** Every raw figure, for the JSON file. */
  data: unknown;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function renderTable(outcomes: BenchOutcome[]): string {
  const header = ['bench', 'measure', 'value', 'baseline (same run)', 'ratio', 'goal'];
  const lines: string[][] = [header];
  for (const o of outcomes)
    for (const r of o.rows)
      lines.push([
        o.name,
        r.measure,
        r.value,
        r.baseline,
        r.ratio === undefined ? '' : r.ratio.toFixed(2),
        r.goal === undefined ? '' : `${r.goal} ${r.met ? 'PASS' : 'MISS'}`,
      ]);
  const widths = header.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  const fmt = (l: string[]) => `| ${l.map((cell, c) => pad(cell, widths[c]!)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [fmt(lines[0]!), rule, ...lines.slice(1).map(fmt)].join('\n');
}

export function renderGoals(outcomes: BenchOutcome[]): string {
  const out: string[] = [];
  for (const o of outcomes)
    for (const g of o.goals)
      out.push(
        `${g.met ? 'PASS' : 'MISS'} [${o.name}] ${g.description}${g.met || !g.why ? '' : `\n       why: ${g.why}`}`,
      );
  return out.join('\n');
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
  } catch {
    return undefined;
  }
}

/** Writes bench-results/bench-<timestamp>.json and returns its path. */
export function writeResults(
  outcomes: BenchOutcome[],
  opts: { quick: boolean; loadAtStart: number[] },
): string {
  const dir = path.join(ROOT, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const at = new Date();
  const file = path.join(dir, `bench-${at.toISOString().replace(/[:.]/g, '-')}.json`);
  const machine = {
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    // Other work on the machine skews absolute figures (ratios much less): keep it on record.
    loadAverage: { atStart: opts.loadAtStart, atEnd: os.loadavg() },
  };
  writeFileSync(
    file,
    `${JSON.stringify({ at: at.toISOString(), commit: gitCommit(), quick: opts.quick, machine, outcomes }, null, 2)}\n`,
  );
  return file;
}
