/**
 * `auth` and `peer`: requests/s and p50/p99 of `tools/list` and `tools/call list_records` under
 * autocannon at 1, 10 and 100 connections, against
 *   - our server, authenticated (Bearer session of an OAuth-signed-in user),
 *   - the same build in another process with authentication bypassed for that same user
 *     (BENCH_BYPASS_AUTH_USER) - the `auth` baseline,
 *   - airtable-mcp-server in its stateless HTTP mode (no auth) - the `peer` baseline,
 * all on the same fake (rate limiting off, no added latency), in one world, interleaved so that
 * drift on a shared machine hits every target alike. When both benches run, they share the
 * authenticated measurements.
 *
 * list_records rotates over many bases of the user: our server keeps Airtable's 5 requests/s per
 * base itself (cloud/airtable/rate-limiter.ts), so one base would measure that limiter (about 4.5
 * calls/s), not the server. With an OAuth token the 50 requests/s per-user PAT limit does not
 * apply either. Both limits are still in force - the load stays far under them.
 */
import { startBenchEnv } from './bench-env';
import { combine, runSlice, type LoadSlice } from './bench-load';
import { toolCallBody, toolsListBody, MCP_HEADERS } from './bench-mcp';
import { startPeer } from './bench-peer';
import type { ChildServer } from './bench-procs';
import type { BenchOutcome } from './bench-report';
import {
  authOutcome,
  CALLS,
  peerOutcome,
  type Call,
  type Measured,
  type Target,
} from './bench-throughput-report';
import { BENCH_TABLE, createUserWithBases, newestCredentialId, oauthSession } from './bench-users';

export interface ThroughputOptions {
  auth: boolean;
  peer: boolean;
  quick: boolean;
  log: (line: string) => void;
}

export async function benchThroughput(opts: ThroughputOptions): Promise<BenchOutcome[]> {
  const levels = opts.quick ? [10] : [1, 10, 100];
  // Per target, call and level: slicesPerLevel x sliceSeconds of load, interleaved with the others.
  // Slices must be long against the latency at 100 connections (0.5 s on a busy 2-core machine).
  const slicesPerLevel = opts.quick ? 2 : 4;
  const sliceSeconds = opts.quick ? 1 : 2;
  // At 100 connections a loaded 2-core machine answers list_records in about 2 s: a 2 s slice
  // would end before most requests come back (and count 0 req/s). Longer slices there.
  const sliceSecondsAt = (connections: number) =>
    Math.max(sliceSeconds, Math.ceil(connections / 20));
  // Long enough for V8 to have optimised the hot paths of each server (shorter warm-ups left the
  // first slices of each target several times slower than the last).
  const warmSeconds = opts.quick ? 1 : 5;
  const baseCount = opts.quick ? 100 : 500;
  const env = await startBenchEnv();
  try {
    // The sign-in runs on a server of its own (the public URL, where the fake redirects); the
    // measured servers are started afterwards, alike, so that authentication is the only
    // difference between them: a process that also served the sign-in flow carries other
    // JIT-compiled code and caches, which moved tools/list by more than authentication does.
    const signIn = await env.startServer();
    const user = await createUserWithBases(env.admin, baseCount);
    const session = await oauthSession(env.admin, signIn.url, user.userId);
    const credentialId = await newestCredentialId(signIn.url, env.secrets, user.userId);
    const targets = new Map<Target, { server: ChildServer; headers: Record<string, string> }>();
    targets.set('authenticated', {
      server: await env.startServer(),
      headers: { Authorization: `Bearer ${session}` },
    });
    if (opts.auth)
      targets.set('bypassed', {
        server: await env.startServer({
          // The same credential the authenticated target uses: "<user id>:<credential id>".
          bypassAuthUserId: `${user.userId}:${credentialId}`,
        }),
        headers: {},
      });
    if (opts.peer) {
      const { token } = await env.admin.createPat({
        userId: user.userId,
        scopes: ['data.records:read', 'schema.bases:read'],
        bases: 'all',
      });
      targets.set('peer', { server: env.adopt(await startPeer(env.fakeUrl, token)), headers: {} });
    }

    const spec = (target: Target, call: Call, connections: number, secs: number) => {
      const { server, headers } = targets.get(target)!;
      const tableArg = target === 'peer' ? { tableId: BENCH_TABLE } : { table: BENCH_TABLE };
      return {
        url: server.url,
        headers,
        connections,
        seconds: secs,
        body:
          call === 'tools/list'
            ? () => toolsListBody(1)
            : (i: number) =>
                toolCallBody(
                  'list_records',
                  { baseId: user.baseIds[i % baseCount], ...tableArg },
                  1,
                ),
        verify:
          call === 'tools/list'
            ? (b: string) => b.includes('"list_records"') && !b.includes('"error":')
            : (b: string) => b.includes(user.marker) && !b.includes('"isError":true'),
      };
    };

    const measured: Measured = {};
    const names = [...targets.keys()];
    for (const call of CALLS) {
      measured[call] = {};
      for (const t of names) {
        measured[call][t] = [];
        await runSlice(spec(t, call, 10, warmSeconds)); // warm-up: JIT, pools, caches
      }
      for (const [li, connections] of levels.entries()) {
        const slices = new Map<Target, LoadSlice[]>(names.map((t) => [t, []]));
        for (let k = 0; k < slicesPerLevel; k++) {
          // Rotate the order per slice so no target always runs first (or last).
          const order = names.map((_, j) => names[(j + k + li) % names.length]!);
          for (const t of order)
            slices
              .get(t)!
              .push(await runSlice(spec(t, call, connections, sliceSecondsAt(connections))));
        }
        for (const t of names) {
          const f = combine(connections, slices.get(t)!);
          measured[call][t]!.push(f);
          opts.log(
            `  ${call} ${t} c=${connections}: ${f.requestsPerSecond} req/s, p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms, errors ${f.errors}`,
          );
        }
      }
    }

    const sizes = {
      ours: await toolsListBytes(targets.get('authenticated')!.server.url, {
        Authorization: `Bearer ${session}`,
      }),
      peer: opts.peer ? await toolsListBytes(targets.get('peer')!.server.url, {}) : undefined,
    };
    const out: BenchOutcome[] = [];
    if (opts.auth) out.push(authOutcome(measured, levels));
    if (opts.peer) out.push(peerOutcome(measured, levels, sizes));
    for (const o of out)
      Object.assign(o.data as object, {
        baseCount,
        slicesPerLevel,
        sliceSeconds,
        toolsListBytes: sizes,
      });
    return out;
  } finally {
    await env.stop();
  }
}

async function toolsListBytes(url: string, headers: Record<string, string>): Promise<number> {
  const res = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: { ...MCP_HEADERS, ...headers },
    body: toolsListBody(1),
  });
  return (await res.arrayBuffer()).byteLength;
}
