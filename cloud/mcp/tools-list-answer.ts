/**
 * The answer to a plain `tools/list` request, as bytes serialised once per process.
 *
 * Our tools/list result never changes while the process runs (server.ts listedTools), but it is
 * the largest answer we send (every tool with its input and output JSON Schema, ~90 kB), and the
 * SDK's Streamable HTTP transport re-serialises it with JSON.stringify on every request, then
 * encodes it and hands it through a web Response: about 20% of the server's CPU under
 * `npm run bench -- profile --call tools/list`. So /mcp answers a request that is exactly a plain
 * tools/list - after authentication, the scope check and the per-session limit, like any other
 * request - with the stored bytes and the request's id.
 *
 * "Exactly" means every check the SDK would make passes, so the answer is the one the SDK would
 * give (test/unit/mcp-tools-list-answer.test.ts compares them byte for byte): JSON response mode;
 * an Accept header naming application/json and text/event-stream; a JSON Content-Type; an
 * MCP-Protocol-Version header that is absent or supported; one JSON-RPC 2.0 request object (no
 * batch) with a string or integer id, method tools/list, and no params or empty ones. Anything
 * else - a cursor, _meta, a batch, a header the SDK would refuse - goes to the SDK as before.
 */
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import type { IncomingHttpHeaders } from 'node:http';
import { listedTools } from './server';

const KEYS = new Set(['jsonrpc', 'id', 'method', 'params']);

let resultBytes: Buffer | undefined;

/** `{"tools":[...]}`, serialised on first use. */
function toolsResult(): Buffer {
  resultBytes ??= Buffer.from(JSON.stringify({ tools: listedTools() }));
  return resultBytes;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The request id when `body` is one plain tools/list request; otherwise undefined. */
export function plainToolsListId(body: unknown): string | number | undefined {
  if (!isPlainObject(body)) return undefined;
  for (const k of Object.keys(body)) if (!KEYS.has(k)) return undefined;
  if (body.jsonrpc !== '2.0' || body.method !== 'tools/list') return undefined;
  const { id, params } = body;
  // JSON-RPC ids the SDK accepts: strings and integers (types.ts RequestIdSchema).
  if (!(typeof id === 'string' || (typeof id === 'number' && Number.isSafeInteger(id))))
    return undefined;
  if (params !== undefined && !(isPlainObject(params) && Object.keys(params).length === 0))
    return undefined;
  return id;
}

/** Whether the SDK's transport would accept these headers for a JSON answer (handlePostRequest). */
function headersAccepted(headers: IncomingHttpHeaders): boolean {
  const accept = headers.accept;
  if (typeof accept !== 'string') return false;
  if (!accept.includes('application/json') || !accept.includes('text/event-stream')) return false;
  const type = headers['content-type'];
  if (typeof type !== 'string') return false;
  if ((type.split(';', 1)[0] ?? '').trim().toLowerCase() !== 'application/json') return false;
  const version = headers['mcp-protocol-version'];
  return version === undefined || SUPPORTED_PROTOCOL_VERSIONS.includes(version as string);
}

/** Written around the stored bytes, never copied into one buffer with them (90 kB a request). */
const PREFIX = Buffer.from('{"result":');

/**
 * The body of the JSON answer to `body`, as chunks to write in order, when it is a plain
 * tools/list request the SDK would answer with our tool list (see the header); undefined when the
 * SDK must handle it.
 */
export function toolsListAnswer(
  body: unknown,
  headers: IncomingHttpHeaders,
): readonly Buffer[] | undefined {
  const id = plainToolsListId(body);
  if (id === undefined || !headersAccepted(headers)) return undefined;
  // The SDK's Protocol answers { result, jsonrpc, id } in that order (shared/protocol.ts).
  return [PREFIX, toolsResult(), Buffer.from(`,"jsonrpc":"2.0","id":${JSON.stringify(id)}}`)];
}
