/** A scripted `fetch` for AirtableApi unit tests: records each call, answers from a queue. */
export type StubReply = { status?: number; json?: unknown; text?: string } | Error;

export interface StubCall {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

export function fetchStub(replies: StubReply[]): { fn: typeof fetch; calls: StubCall[] } {
  const calls: StubCall[] = [];
  const fn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    calls.push({
      url: String(input),
      method: init?.method ?? 'GET',
      headers: (init?.headers ?? {}) as Record<string, string>,
      body: typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
    });
    const r = replies.shift();
    if (r === undefined) throw new Error(`unexpected request ${String(input)}`);
    if (r instanceof Error) throw r;
    return new Response(r.text ?? JSON.stringify(r.json ?? {}), {
      status: r.status ?? 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { fn: fn as typeof fetch, calls };
}
