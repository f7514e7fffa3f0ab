/**
 * /mcp answers a plain tools/list with bytes serialised once per process
 * (cloud/mcp/tools-list-answer.ts). The answer must be exactly the SDK's: each accepted request is
 * also sent through createMcpServer and the SDK's Streamable HTTP transport (JSON mode, as /mcp
 * runs it), and the bodies are compared byte for byte. Everything the SDK would treat differently
 * (a cursor, _meta, a batch, a bad id, a header it refuses) is left to the SDK.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { createMcpServer } from '../../cloud/mcp/server';
import { offlineToolContext } from '../helpers/offline-tool-context';
import { plainToolsListId, toolsListAnswer } from '../../cloud/mcp/tools-list-answer';

const HEADERS: IncomingHttpHeaders = {
  accept: 'application/json, text/event-stream',
  'content-type': 'application/json',
  'mcp-protocol-version': '2025-06-18',
};

const ctx = offlineToolContext;

/** What the SDK answers, as /mcp runs it: a fresh server and JSON-mode transport per request. */
async function sdkAnswer(
  body: unknown,
  headers: IncomingHttpHeaders,
): Promise<{ status: number; type: string | null; text: string }> {
  const server = createMcpServer(ctx(), { methods: new Set(['tools/list']) });
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  const res = await transport.handleRequest(
    new Request('http://127.0.0.1/mcp', {
      method: 'POST',
      // Absent headers are absent, not the string "undefined".
      headers: Object.fromEntries(
        Object.entries(headers).filter((e): e is [string, string] => typeof e[1] === 'string'),
      ),
      body: JSON.stringify(body),
    }),
    { parsedBody: body },
  );
  const text = await res.text();
  await server.close();
  return { status: res.status, type: res.headers.get('content-type'), text };
}

describe('the stored tools/list answer', () => {
  it.each([
    [{ jsonrpc: '2.0', id: 1, method: 'tools/list' }, HEADERS],
    [{ jsonrpc: '2.0', id: 'a "quoted" \u2028 id', method: 'tools/list', params: {} }, HEADERS],
    [
      { id: 0, method: 'tools/list', jsonrpc: '2.0' },
      { ...HEADERS, 'mcp-protocol-version': undefined },
    ],
    [
      { jsonrpc: '2.0', id: -7, method: 'tools/list' },
      { ...HEADERS, 'content-type': 'Application/JSON; charset=utf-8' },
    ],
  ])('is byte for byte what the SDK sends: %j', async (body, headers) => {
    const chunks = toolsListAnswer(body, headers);
    expect(chunks).toBeDefined();
    const ours = Buffer.concat(chunks!);
    const sdk = await sdkAnswer(body, headers);
    expect(sdk.status).toBe(200);
    expect(sdk.type).toBe('application/json');
    expect(ours.toString('utf8')).toBe(sdk.text);
    expect(JSON.parse(sdk.text)).toMatchObject({ jsonrpc: '2.0', id: body.id });
  });

  it('is served twice from the same bytes, each with its own id', () => {
    const a = Buffer.concat(
      toolsListAnswer({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, HEADERS)!,
    );
    const b = Buffer.concat(
      toolsListAnswer({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, HEADERS)!,
    );
    expect(JSON.parse(a.toString()).id).toBe(1);
    expect(JSON.parse(b.toString()).id).toBe(2);
    expect(JSON.parse(a.toString()).result).toEqual(JSON.parse(b.toString()).result);
  });

  it.each([
    ['a cursor', { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { cursor: 'x' } }],
    ['_meta', { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: {} } }],
    ['params that are not an object', { jsonrpc: '2.0', id: 1, method: 'tools/list', params: [] }],
    ['a batch', [{ jsonrpc: '2.0', id: 1, method: 'tools/list' }]],
    ['a notification (no id)', { jsonrpc: '2.0', method: 'tools/list' }],
    ['a null id', { jsonrpc: '2.0', id: null, method: 'tools/list' }],
    ['a fractional id', { jsonrpc: '2.0', id: 1.5, method: 'tools/list' }],
    ['another JSON-RPC version', { jsonrpc: '1.0', id: 1, method: 'tools/list' }],
    ['another method', { jsonrpc: '2.0', id: 1, method: 'tools/call' }],
    ['an extra member', { jsonrpc: '2.0', id: 1, method: 'tools/list', extra: true }],
    ['not an object', 'tools/list'],
  ])('leaves %s to the SDK', (_what, body) => {
    expect(plainToolsListId(body)).toBeUndefined();
    expect(toolsListAnswer(body, HEADERS)).toBeUndefined();
  });

  it.each([
    ['no Accept', { ...HEADERS, accept: undefined }],
    ['an Accept without text/event-stream', { ...HEADERS, accept: 'application/json' }],
    ['an Accept without application/json', { ...HEADERS, accept: 'text/event-stream' }],
    ['no Content-Type', { ...HEADERS, 'content-type': undefined }],
    ['a text/plain body', { ...HEADERS, 'content-type': 'text/plain; a=application/json' }],
    ['an unsupported protocol version', { ...HEADERS, 'mcp-protocol-version': '1999-01-01' }],
  ])('leaves a request with %s to the SDK, which refuses it', async (_what, headers) => {
    const body = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
    expect(toolsListAnswer(body, headers)).toBeUndefined();
    expect((await sdkAnswer(body, headers)).status).toBeGreaterThanOrEqual(400);
  });
});
