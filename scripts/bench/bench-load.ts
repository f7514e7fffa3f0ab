/**
 * Load against POST /mcp with autocannon, in short slices that the caller interleaves between
 * targets (A B C, B C A, ...): on a machine whose cores are shared, background load then lands on
 * every target alike instead of on whichever ran during a busy moment. Latencies are collected per
 * request, so percentiles over several slices are exact.
 */
import autocannon from 'autocannon';
import { MCP_HEADERS, median, percentile, round } from './bench-mcp';
import { descendantsCpuMs } from './bench-procs';

export interface LoadSpec {
  url: string;
  /** Extra headers (Authorization for our authenticated server). */
  headers?: Record<string, string>;
  /** The JSON-RPC body of request number `i` (lets a run rotate over bases). */
  body: (i: number) => string;
  /** True when a 200 answer's body is the right answer (counted as mismatches otherwise). */
  verify: (body: string) => boolean;
  connections: number;
  seconds: number;
}

export interface LoadSlice {
  requests: number;
  seconds: number;
  latenciesMs: number[];
  /** Connection errors + timeouts + non-2xx answers + wrong bodies. */
  errors: number;
  /** CPU the system under test used meanwhile (bench-procs.ts descendantsCpuMs). */
  cpuMs?: number;
}

export interface LoadFigures {
  connections: number;
  seconds: number;
  requests: number;
  /**
   * Median over the slices of each slice's completed requests per second: robust to a burst of
   * unrelated work on a shared machine, which a total/time mean is not.
   */
  requestsPerSecond: number;
  /** Completed requests / seconds under load, over all slices. */
  meanRequestsPerSecond: number;
  sliceRequestsPerSecond: number[];
  p50Ms: number;
  p99Ms: number;
  /**
   * CPU ms of the system under test (server processes, PostgreSQL, the fake) per completed
   * request: the cost behind throughput, far steadier than requests/s on a shared machine.
   */
  cpuMsPerRequest?: number;
  /** Must be 0. */
  errors: number;
}

export async function runSlice(spec: LoadSpec): Promise<LoadSlice> {
  let i = 0;
  const latenciesMs: number[] = [];
  let settle: (r: autocannon.Result) => void = () => {};
  let fail: (e: unknown) => void = () => {};
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  const cpuBefore = descendantsCpuMs();
  const instance = autocannon(
    {
      url: `${spec.url}/mcp`,
      method: 'POST',
      headers: { ...MCP_HEADERS, ...spec.headers },
      connections: spec.connections,
      duration: spec.seconds,
      timeout: 30,
      requests: [
        {
          // Called before every request (autocannon rebuilds requests that have a setupRequest).
          setupRequest: (req) => ({ ...req, body: spec.body(i++) }),
        },
      ],
      verifyBody: (body) => spec.verify(String(body)),
    },
    // autocannon's callback may deliver an error of any type.
    (err: unknown, result: autocannon.Result) => (err ? fail(err) : settle(result)),
  );
  instance.on('response', (_client, _status, _bytes, responseTime) =>
    latenciesMs.push(responseTime),
  );
  const result = await done;
  const cpuAfter = descendantsCpuMs();
  return {
    requests: result.requests.total,
    seconds: result.duration,
    latenciesMs,
    errors: result.errors + result.timeouts + result.non2xx + result.mismatches,
    ...(cpuBefore !== undefined && cpuAfter !== undefined ? { cpuMs: cpuAfter - cpuBefore } : {}),
  };
}

export function combine(connections: number, slices: LoadSlice[]): LoadFigures {
  const latencies = slices.flatMap((s) => s.latenciesMs);
  const requests = slices.reduce((n, s) => n + s.requests, 0);
  const seconds = slices.reduce((n, s) => n + s.seconds, 0);
  const rates = slices.map((s) => s.requests / s.seconds);
  const cpu = slices.every((s) => s.cpuMs !== undefined)
    ? slices.reduce((n, s) => n + s.cpuMs!, 0)
    : undefined;
  return {
    connections,
    seconds: round(seconds, 1),
    requests,
    requestsPerSecond: round(median(rates), 1),
    meanRequestsPerSecond: round(requests / seconds, 1),
    sliceRequestsPerSecond: rates.map((r) => round(r, 0)),
    p50Ms: round(percentile(latencies, 50), 1),
    p99Ms: round(percentile(latencies, 99), 1),
    ...(cpu !== undefined && requests > 0 ? { cpuMsPerRequest: round(cpu / requests, 2) } : {}),
    errors: slices.reduce((n, s) => n + s.errors, 0),
  };
}
