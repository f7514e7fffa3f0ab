/**
 * Shared pieces of the fault tests: raw /mcp calls that never hang the test (each has a client
 * timeout, so "the server hung" shows up as a failed request, not as a stuck test), a load loop,
 * and the at-rest check that every UserToken row still decrypts and holds no plaintext token.
 */
import { decrypt } from '../../cloud/crypto/fernet';

export interface Outcome {
  status: number;
  ms: number;
  body: string;
  headers: Headers | undefined;
}

/** POST /mcp with a JSON-RPC message; status 0 when the client gave up (a hang) or the connection failed. */
export async function mcpRaw(
  baseUrl: string,
  token: string,
  message: unknown,
  timeoutMs = 15_000,
): Promise<Outcome> {
  const started = Date.now();
  try {
    const res = await fetch(`${baseUrl}/mcp`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        'MCP-Protocol-Version': '2025-06-18',
        Authorization: `Bearer ${token}`,
      },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await res.text();
    return { status: res.status, ms: Date.now() - started, body, headers: res.headers };
  } catch (err) {
    return {
      status: 0,
      ms: Date.now() - started,
      body: err instanceof Error ? err.message : String(err),
      headers: undefined,
    };
  }
}

let nextId = 1;

export function toolCall(name: string, args: Record<string, unknown> = {}): unknown {
  return { jsonrpc: '2.0', id: nextId++, method: 'tools/call', params: { name, arguments: args } };
}

export function toolsList(): unknown {
  return { jsonrpc: '2.0', id: nextId++, method: 'tools/list' };
}

/** The CallToolResult of a 200 answer. */
export function toolResult(o: Outcome): {
  isError?: boolean;
  content: { type: string; text?: string }[];
} {
  if (o.status !== 200) throw new Error(`expected 200, got ${o.status}: ${o.body.slice(0, 500)}`);
  const parsed = JSON.parse(o.body) as { result?: unknown };
  if (!parsed.result) throw new Error(`no result: ${o.body.slice(0, 500)}`);
  return parsed.result as never;
}

/** Runs `worker` in `concurrency` loops until stop() is called; collects every outcome. */
export function load(
  concurrency: number,
  worker: (i: number) => Promise<Outcome>,
): { outcomes: Outcome[]; stop(): Promise<Outcome[]> } {
  const outcomes: Outcome[] = [];
  let running = true;
  const loops = Array.from({ length: concurrency }, async (_, i) => {
    while (running) {
      outcomes.push(await worker(i));
      await new Promise((r) => setTimeout(r, 20));
    }
  });
  return {
    outcomes,
    async stop() {
      running = false;
      await Promise.all(loops);
      return outcomes;
    },
  };
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/**
 * UserToken rows of `baseUrl`'s database (master key, REST), as stored: those of `userIds` (the
 * harness's database is shared, so tests name their users), or every row of a private database.
 */
export async function userTokenRows(
  baseUrl: string,
  appId: string,
  masterKey: string,
  userIds?: string[],
): Promise<Record<string, unknown>[]> {
  const where = userIds
    ? `&where=${encodeURIComponent(JSON.stringify({ user_id: { $in: userIds } }))}`
    : '';
  const res = await fetch(`${baseUrl}/parse/classes/UserToken?limit=10000${where}`, {
    headers: { 'X-Parse-Application-Id': appId, 'X-Parse-Master-Key': masterKey },
  });
  if (res.status !== 200) throw new Error(`UserToken read answered ${res.status}`);
  return ((await res.json()) as { results: Record<string, unknown>[] }).results;
}

/**
 * Each of `rows` decrypts with `encryptionKey` into a credential with an access token, and no
 * column of any row contains one of `plaintexts` (tokens we know) in clear.
 */
export function expectTokensSafeAtRest(
  rows: Record<string, unknown>[],
  encryptionKey: string,
  plaintexts: string[] = [],
): void {
  for (const row of rows) {
    const cred = JSON.parse(decrypt(String(row.tokens), encryptionKey)) as {
      accessToken?: unknown;
      refreshToken?: unknown;
    };
    if (typeof cred.accessToken !== 'string' || cred.accessToken.length === 0)
      throw new Error(`UserToken ${String(row.objectId)} decrypts to no access token`);
    const raw = JSON.stringify(row);
    for (const p of [
      ...plaintexts,
      cred.accessToken,
      ...(cred.refreshToken ? [cred.refreshToken] : []),
    ])
      if (typeof p === 'string' && p.length > 0 && raw.includes(p))
        throw new Error(`UserToken ${String(row.objectId)} holds a token in plaintext`);
  }
}
