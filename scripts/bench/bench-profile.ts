/**
 * `npm run bench -- profile`: where a tool call's time goes. Boots the world of the `auth`/`peer`
 * benches, signs a user in through OAuth, warms the server up with `tools/call list_records`
 * rotated over the user's bases (10 connections), then records a V8 CPU profile of the server
 * process while the same load runs (scripts/instance.ts, BENCH_CPU_PROFILE), and prints where the
 * busy time went by stage and by function (scripts/cpu-profile.ts).
 *
 * Writes .data/profiles/list_records-<time>.cpuprofile with frames mapped back to the TypeScript
 * and node_modules sources: open it in Chrome DevTools (Performance panel) or summarise it again
 * with `npx tsx scripts/cpu-profile.ts <file>`. With `--call tools/list`, profiles tools/list.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../build/build';
import {
  renderSummary,
  summariseProfile,
  writeMappedProfile,
  type CpuProfile,
} from './cpu-profile';
import { startBenchEnv } from './bench-env';
import { runSlice } from './bench-load';
import { toolCallBody, toolsListBody } from './bench-mcp';
import type { BenchOutcome } from './bench-report';
import { BENCH_TABLE, createUserWithBases, oauthSession } from './bench-users';

export interface ProfileOptions {
  quick: boolean;
  call: 'list_records' | 'tools/list';
  log: (line: string) => void;
}

export async function benchProfile(opts: ProfileOptions): Promise<BenchOutcome> {
  const baseCount = opts.quick ? 100 : 500;
  const seconds = opts.quick ? 3 : 10;
  const connections = 10;
  const dir = path.join(ROOT, '.data', 'profiles');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const label = opts.call === 'tools/list' ? 'tools-list' : 'list_records';
  const out = path.join(dir, `${label}-${stamp}.cpuprofile`);
  const env = await startBenchEnv();
  try {
    const raw = `${out}.raw`;
    const server = await env.startServer({ cpuProfile: raw });
    const user = await createUserWithBases(env.admin, baseCount);
    const session = await oauthSession(env.admin, server.url, user.userId);
    const spec = (secs: number) => ({
      url: server.url,
      headers: { Authorization: `Bearer ${session}` },
      connections,
      seconds: secs,
      body:
        opts.call === 'tools/list'
          ? () => toolsListBody(1)
          : (i: number) =>
              toolCallBody(
                'list_records',
                { baseId: user.baseIds[i % baseCount], table: BENCH_TABLE },
                1,
              ),
      verify:
        opts.call === 'tools/list'
          ? (b: string) => b.includes('"list_records"') && !b.includes('"error":')
          : (b: string) => b.includes(user.marker) && !b.includes('"isError":true'),
    });
    await runSlice(spec(opts.quick ? 1 : 3)); // warm-up: JIT, caches
    const started = server.nextLine(/^PROFILING$/);
    process.kill(server.pid, 'SIGUSR2');
    await started;
    const slice = await runSlice(spec(seconds));
    const written = server.nextLine(/^PROFILE (.+)$/);
    process.kill(server.pid, 'SIGUSR2');
    await written;
    // Mapped while the world's bundle and its source maps still exist.
    const profile = JSON.parse(readFileSync(raw, 'utf8')) as CpuProfile;
    writeMappedProfile(profile, out);
    rmSync(raw, { force: true });
    const summary = summariseProfile(JSON.parse(readFileSync(out, 'utf8')) as CpuProfile);
    const rate = slice.requests / slice.seconds;
    opts.log(
      `  ${opts.call} under the profiler: ${rate.toFixed(0)} req/s at ${connections} connections, errors ${slice.errors}`,
    );
    opts.log(renderSummary(summary).replace(/^/gm, '  '));
    opts.log(`  wrote ${path.relative(ROOT, out)}`);
    return {
      name: 'profile',
      title: `CPU profile of the server under ${opts.call}`,
      rows: summary.stages.slice(0, 12).map((s) => ({
        measure: `${opts.call} busy time: ${s.stage}`,
        value: `${s.percent}%`,
        baseline: '-',
      })),
      goals: [
        {
          description: 'no errors or wrong answers while profiling',
          met: slice.errors === 0 && slice.requests > 0,
          kind: 'correctness',
        },
      ],
      data: { call: opts.call, file: out, requestsPerSecond: rate, errors: slice.errors, summary },
    };
  } finally {
    await env.stop();
  }
}
