/**
 * HTTP helpers of the post-deploy smoke test (scripts/deploy/smoke.ts): one request with a timeout whose
 * failure says why, and the reading of an MCP Streamable HTTP answer, which is either one JSON
 * body or an SSE stream of JSON-RPC messages (MCP specification 2025-06-18, "Transports").
 */

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export class RequestFailed extends Error {
  override name = 'RequestFailed';
}

/** fetch with a timeout; rejects with a RequestFailed whose message says why (never a header). */
export async function request(
  fetchImpl: FetchLike,
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<Reply> {
  let res: Response;
  try {
    res = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    type Cause = { code?: string; message?: string; errors?: Cause[] };
    const e = err as { name?: string; message?: string; cause?: Cause };
    // undici wraps the socket error; with several addresses (::1, 127.0.0.1) in an AggregateError.
    const cause = e.cause?.errors?.[0] ?? e.cause;
    const why =
      e.name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : (cause?.code ?? cause?.message ?? e.message);
    throw new RequestFailed(`${init.method ?? 'GET'} ${new URL(url).pathname}: ${why}`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** The JSON-RPC messages of an MCP answer (a JSON body, or the `data:` lines of an SSE stream). */
export function jsonRpcMessages(reply: Reply): Record<string, unknown>[] {
  const type = reply.headers.get('content-type') ?? '';
  const asList = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
  if (type.includes('text/event-stream')) {
    const out: unknown[] = [];
    for (const event of reply.text.split(/\r?\n\r?\n/)) {
      const data = event
        .split(/\r?\n/)
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      if (!data) continue;
      try {
        out.push(...asList(JSON.parse(data)));
      } catch {
        /* a non-JSON event: ignore */
      }
    }
    return out.filter((m): m is Record<string, unknown> => typeof m === 'object' && m !== null);
  }
  return asList(reply.json).filter(
    (m): m is Record<string, unknown> => typeof m === 'object' && m !== null,
  );
}

/** The `param="value"` pairs of a WWW-Authenticate challenge (RFC 7235 section 2.1). */
export function challengeParams(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of header.matchAll(/([A-Za-z_]+)=(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g))
    out[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
  return out;
}

export function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

/** A short, single-line preview of a body for the report. */
export function preview(text: string, max = 120): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max)}...` : one;
}
