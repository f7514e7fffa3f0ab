/** MCP requests as the benchmarks send them, timed one by one, and the statistics they report. */

export const MCP_HEADERS = {
  'Content-Type': 'application/json',
  Accept: 'application/json, text/event-stream',
  'MCP-Protocol-Version': '2025-06-18',
} as const;

export function toolsListBody(id: number | string = 1): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/list' });
}

export function toolCallBody(
  name: string,
  args: Record<string, unknown>,
  id: number | string = 1,
): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name, arguments: args },
  });
}

export interface TimedAnswer {
  ms: number;
  status: number;
  /** The JSON-RPC `result` of a 200 answer, when there was one. */
  result?: { isError?: boolean; structuredContent?: Record<string, unknown> };
  /** Why the call counts as an error (transport, HTTP status, JSON-RPC error, tool error). */
  error?: string;
}

/** One tools/call over HTTP, timed from send to the last byte; never throws. */
export async function timedToolCall(
  url: string,
  token: string,
  name: string,
  args: Record<string, unknown>,
  id: number | string,
): Promise<TimedAnswer> {
  const started = performance.now();
  try {
    const res = await fetch(`${url}/mcp`, {
      method: 'POST',
      headers: { ...MCP_HEADERS, Authorization: `Bearer ${token}` },
      body: toolCallBody(name, args, id),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    const ms = performance.now() - started;
    if (res.status !== 200) return { ms, status: res.status, error: `HTTP ${res.status}` };
    const body = JSON.parse(text) as {
      id?: unknown;
      result?: TimedAnswer['result'];
      error?: unknown;
    };
    if (body.id !== id)
      return { ms, status: 200, error: `answer for JSON-RPC id ${String(body.id)}` };
    if (!body.result)
      return { ms, status: 200, error: `JSON-RPC error ${JSON.stringify(body.error)}` };
    if (body.result.isError)
      return { ms, status: 200, result: body.result, error: 'tool error (isError)' };
    return { ms, status: 200, result: body.result };
  } catch (err) {
    return {
      ms: performance.now() - started,
      status: 0,
      error: err instanceof Error ? err.message : String(err),
    };
  }
}

/** Nearest-rank percentile of `values` (p in 0..100). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** Median (mean of the two middle values for an even count). */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const round = (x: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** Runs `jobs` with at most `limit` in flight; results in order. */
export async function pool<T>(limit: number, jobs: (() => Promise<T>)[]): Promise<T[]> {
  const out = new Array<T>(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return out;
}

export interface PlannedCall {
  url: string;
  token: string;
  name: string;
  args: Record<string, unknown>;
  id: string;
  /** Undefined when the answer is the right one for this caller; otherwise what is wrong. */
  check: (result: NonNullable<TimedAnswer['result']>) => 'wrong-user' | 'wrong' | undefined;
}

export interface BurstFigures {
  calls: number;
  wallMs: number;
  latenciesMs: number[];
  /** Transport, HTTP, JSON-RPC or tool errors, and answers that are wrong but no one else's. */
  errors: number;
  /** Answers that carry another user's data. */
  wrongUser: number;
  /** The first few problems, for the report. */
  samples: string[];
}

/** Sends `calls` all at once (concurrency = calls.length) or one at a time, and checks each answer. */
export async function burst(
  calls: PlannedCall[],
  mode: 'together' | 'one-by-one',
): Promise<BurstFigures> {
  const started = performance.now();
  const one = (c: PlannedCall) => timedToolCall(c.url, c.token, c.name, c.args, c.id);
  const answers = await pool(
    mode === 'together' ? calls.length : 1,
    calls.map((c) => () => one(c)),
  );
  const wallMs = performance.now() - started;
  const out: BurstFigures = {
    calls: calls.length,
    wallMs,
    latenciesMs: [],
    errors: 0,
    wrongUser: 0,
    samples: [],
  };
  answers.forEach((a, i) => {
    out.latenciesMs.push(a.ms);
    const verdict = a.error ?? (a.result ? calls[i]!.check(a.result) : 'no result');
    if (verdict === undefined) return;
    if (verdict === 'wrong-user') out.wrongUser++;
    else out.errors++;
    if (out.samples.length < 5) out.samples.push(`${calls[i]!.name} ${calls[i]!.id}: ${verdict}`);
  });
  return out;
}
