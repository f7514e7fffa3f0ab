/**
 * MUSTs of the MCP 2025-11-25 Streamable HTTP transport (basic/transports.mdx, "Sending Messages
 * to the Server", "Protocol Version Header") and authorization spec ("Access Token Usage") that
 * no other file pins down, against the running bundle. docs/mcp-spec-compliance.md lists every
 * MUST with the test that shows it.
 */
import { harness } from '../harness/env';
import { mcpHeaders, patUser, rawRequest, TOOLS_LIST } from './mcp-http-helpers';

const h = harness();
let session = '';
let pat = '';
beforeAll(async () => {
  ({ session, pat } = await patUser());
});

const auth = () => ({ Authorization: `Bearer ${session}` });

it('a notification is accepted with 202 and no body', async () => {
  const answer = await rawRequest(
    'POST',
    '/mcp',
    mcpHeaders(auth()),
    JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  );
  expect(answer.status).toBe(202);
  expect(answer.text).toBe('');
});

it('a JSON-RPC response from the client is accepted with 202 and no body', async () => {
  const answer = await rawRequest(
    'POST',
    '/mcp',
    mcpHeaders(auth()),
    JSON.stringify({ jsonrpc: '2.0', id: 'srv-1', result: {} }),
  );
  expect(answer.status).toBe(202);
  expect(answer.text).toBe('');
});

it('a request gets one JSON object with Content-Type application/json', async () => {
  const answer = await rawRequest('POST', '/mcp', mcpHeaders(auth()), TOOLS_LIST);
  expect(answer.status).toBe(200);
  expect(String(answer.headers['content-type'])).toMatch(/^application\/json/);
  expect(answer.json).toMatchObject({
    jsonrpc: '2.0',
    id: 1,
    result: { tools: expect.any(Array) },
  });
});

it('an unsupported MCP-Protocol-Version is refused with 400', async () => {
  const answer = await rawRequest(
    'POST',
    '/mcp',
    mcpHeaders({ ...auth(), 'MCP-Protocol-Version': '1999-01-01' }),
    TOOLS_LIST,
  );
  expect(answer.status).toBe(400);
  expect(answer.json).toMatchObject({ jsonrpc: '2.0', error: { code: expect.any(Number) } });
});

it('without MCP-Protocol-Version the request is served (the spec says: assume 2025-03-26)', async () => {
  const headers = mcpHeaders(auth());
  delete headers['MCP-Protocol-Version'];
  const answer = await rawRequest('POST', '/mcp', headers, TOOLS_LIST);
  expect(answer.status).toBe(200);
});

it('an Accept header without text/event-stream is refused with 406', async () => {
  const answer = await rawRequest(
    'POST',
    '/mcp',
    mcpHeaders({ ...auth(), Accept: 'application/json' }),
    TOOLS_LIST,
  );
  expect(answer.status).toBe(406);
});

it('malformed JSON is a JSON-RPC parse error (-32700) with status 400', async () => {
  const answer = await rawRequest('POST', '/mcp', mcpHeaders(auth()), '{"jsonrpc": "2.0", ');
  expect(answer.status).toBe(400);
  expect(answer.json).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 } });
});

it('a token in the query string is never accepted (authorization spec, "Access Token Usage")', async () => {
  const res = await fetch(`${h.baseUrl}/mcp?access_token=${encodeURIComponent(session)}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
    },
    body: TOOLS_LIST,
  });
  await res.text();
  expect(res.status).toBe(401);
});

it('an Airtable token is not ours: a PAT as the bearer is 401 invalid_token ("Token Passthrough")', async () => {
  const answer = await rawRequest(
    'POST',
    '/mcp',
    mcpHeaders({ Authorization: `Bearer ${pat}` }),
    TOOLS_LIST,
  );
  expect(answer.status).toBe(401);
  expect(String(answer.headers['www-authenticate'])).toContain('error="invalid_token"');
});
