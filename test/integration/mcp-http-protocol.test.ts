/**
 * The edges of POST /mcp on the running server, over raw HTTP: the 401 challenge that lets an MCP
 * client discover our authorization server (RFC 6750 section 3, RFC 9728 section 5.1), 405 for
 * the stateless server's GET/DELETE, DNS-rebinding protection (Host/Origin, MCP transports
 * "Security Warning"), the body limit, and 403 insufficient_scope for an OAuth access token that
 * only has airtable:read (RFC 6750 section 3.1).
 */
import { harness } from '../harness/env';
import { fakeAdmin, uniqueUserId } from '../helpers/airtable';
import {
  baseWithTasks,
  mcpHeaders,
  patUser,
  rawRequest,
  TOOLS_LIST,
  type RawAnswer,
} from './mcp-http-helpers';
import { sdkTokens } from './oauth-e2e-helpers';

const h = harness();
const publicUrl = process.env.PUBLIC_URL!;
let session: string;

beforeAll(async () => {
  session = (await patUser()).session;
});

function expectJsonRpcError(answer: RawAnswer): void {
  expect(answer.json).toMatchObject({
    jsonrpc: '2.0',
    id: null,
    error: { code: expect.any(Number), message: expect.any(String) },
  });
}

it('no credentials: 401, a Bearer challenge with resource_metadata, and a JSON-RPC error', async () => {
  const answer = await rawRequest('POST', '/mcp', mcpHeaders(), TOOLS_LIST);
  expect(answer.status).toBe(401);
  expectJsonRpcError(answer);
  expect(String(answer.json?.error && (answer.json.error as { message: string }).message)).toMatch(
    /sign in/i,
  );
  const challenge = String(answer.headers['www-authenticate']);
  expect(challenge).toMatch(/^Bearer /);
  // RFC 6750 section 3.1: no error code when the request carried no authentication at all.
  expect(challenge).not.toContain('error=');
  const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
  expect(metadataUrl).toBe(`${publicUrl}/.well-known/oauth-protected-resource/mcp`);
  // The URL resolves to our Protected Resource Metadata naming our authorization server.
  const prm = (await (await fetch(metadataUrl!)).json()) as Record<string, unknown>;
  expect(prm.resource).toBe(`${publicUrl}/mcp`);
  expect(prm.authorization_servers).toEqual([publicUrl]);
});

it.each(['GET', 'DELETE'])('%s /mcp: 405 with Allow: POST', async (method) => {
  const answer = await rawRequest(
    method,
    '/mcp',
    mcpHeaders({
      Authorization: `Bearer ${session}`,
      Accept: 'application/json, text/event-stream',
    }),
  );
  expect(answer.status).toBe(405);
  expect(answer.headers.allow).toBe('POST');
  expectJsonRpcError(answer);
});

it('a foreign Host is refused with 403, even with a valid session', async () => {
  const answer = await rawRequest(
    'POST',
    '/mcp',
    mcpHeaders({ Host: 'evil.example.com', Authorization: `Bearer ${session}` }),
    TOOLS_LIST,
  );
  expect(answer.status).toBe(403);
  expectJsonRpcError(answer);
  expect(answer.text).toContain('evil.example.com');
});

it('a foreign Origin is refused with 403; our own Origin is accepted', async () => {
  const foreign = await rawRequest(
    'POST',
    '/mcp',
    mcpHeaders({ Origin: 'https://evil.example.com', Authorization: `Bearer ${session}` }),
    TOOLS_LIST,
  );
  expect(foreign.status).toBe(403);
  expectJsonRpcError(foreign);
  const own = await rawRequest(
    'POST',
    '/mcp',
    mcpHeaders({ Origin: new URL(h.baseUrl).origin, Authorization: `Bearer ${session}` }),
    TOOLS_LIST,
  );
  expect(own.status).toBe(200);
});

it('a body over 1 MiB is refused with 413', async () => {
  const big = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name: 'whoami', arguments: { padding: 'x'.repeat(1024 * 1024) } },
  });
  const answer = await rawRequest(
    'POST',
    '/mcp',
    mcpHeaders({ Authorization: `Bearer ${session}`, 'Content-Length': String(big.length) }),
    big,
  );
  expect(answer.status).toBe(413);
  expectJsonRpcError(answer);
});

it('an OAuth access token with only airtable:read: 403 insufficient_scope for a write tool', async () => {
  const user = await fakeAdmin().createUser({ id: uniqueUserId() });
  const { baseId } = await baseWithTasks(user.id, 1);
  const { tokens } = await sdkTokens(`${h.baseUrl}/mcp`, user.id, 'airtable:read');
  expect(tokens.scope).toBe('airtable:read');
  const auth = { Authorization: `Bearer ${tokens.access_token}` };

  const call = (name: string, args: Record<string, unknown>) =>
    rawRequest(
      'POST',
      '/mcp',
      mcpHeaders(auth),
      JSON.stringify({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name, arguments: args },
      }),
    );
  const write = await call('create_records', {
    baseId,
    table: 'Tasks',
    records: [{ fields: { Name: 'x' } }],
  });
  expect(write.status).toBe(403);
  expectJsonRpcError(write);
  const challenge = String(write.headers['www-authenticate']);
  expect(challenge).toContain('error="insufficient_scope"');
  // MCP 2025-11-25 step-up: what was granted plus what is needed.
  expect(challenge).toContain('scope="airtable:read airtable:write"');
  expect(challenge).toContain('resource_metadata="');
  expect((await fakeAdmin().listRecords(baseId, 'Tasks')).records).toHaveLength(1);

  const read = await call('list_records', { baseId, table: 'Tasks' });
  expect(read.status).toBe(200);
  expect(read.json?.result).toMatchObject({ structuredContent: { records: [expect.anything()] } });
});

it('a bad token: 401 with error="invalid_token"', async () => {
  const answer = await rawRequest(
    'POST',
    '/mcp',
    mcpHeaders({ Authorization: `Bearer ${'x'.repeat(43)}` }),
    TOOLS_LIST,
  );
  expect(answer.status).toBe(401);
  expect(String(answer.headers['www-authenticate'])).toContain('error="invalid_token"');
});

// RFC 9728 section 3.3: the resource in the metadata must be identical to the URL the client
// used. In development (a loopback PUBLIC_URL) every loopback name of the server gets its own.
describe.each(['127.0.0.1', '[::1]'])('the same server reached as %s', (alias) => {
  const port = new URL(h.baseUrl).port;
  const base = `http://${alias}:${port}`;

  it('advertises that name in the challenge and both metadata documents', async () => {
    const res = await fetch(`${base}/mcp`, {
      method: 'POST',
      headers: mcpHeaders(),
      body: TOOLS_LIST,
    }).catch(() => undefined);
    if (!res) return; // no IPv6 loopback on this machine
    expect(res.status).toBe(401);
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(
      String(res.headers.get('www-authenticate')),
    )?.[1];
    expect(metadataUrl).toBe(`${base}/.well-known/oauth-protected-resource/mcp`);
    const prm = (await (await fetch(metadataUrl!)).json()) as Record<string, unknown>;
    expect(prm).toMatchObject({ resource: `${base}/mcp`, authorization_servers: [base] });
    const as = (await (
      await fetch(`${base}/.well-known/oauth-authorization-server`)
    ).json()) as Record<string, unknown>;
    expect(as).toMatchObject({ issuer: base, token_endpoint: `${base}/token` });
  });

  it('moves the browser part of a sign-in to PUBLIC_URL, keeping the resource it came for', async () => {
    const start = await fetch(`${base}/auth/authorize?platform=claude`, { redirect: 'manual' });
    if (start.status === 0) return;
    expect(start.status).toBe(302);
    expect(start.headers.get('location')).toBe(`${publicUrl}/auth/authorize?platform=claude`);
    const authorize = await fetch(`${base}/authorize?client_id=abc&x=1`, { redirect: 'manual' });
    expect(authorize.status).toBe(302);
    const moved = new URL(authorize.headers.get('location')!);
    expect(moved.origin).toBe(new URL(publicUrl).origin);
    expect(moved.searchParams.get('resource')).toBe(`${base}/mcp`);
    expect(moved.searchParams.get('x')).toBe('1');
  });
});

// MCP 2025-11-25 tools, "Error Handling": unknown tools and malformed requests are protocol
// errors (JSON-RPC -32602); problems with a known tool's arguments are isError tool results.
describe('tools/call errors', () => {
  const call = (params: unknown) =>
    rawRequest(
      'POST',
      '/mcp',
      mcpHeaders({ Authorization: `Bearer ${session}` }),
      JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params }),
    );

  it.each([
    ['an unknown tool', { name: 'drop_everything', arguments: {} }],
    ['arguments that are not an object', { name: 'whoami', arguments: [1, 2] }],
    ['arguments that are a string', { name: 'list_bases', arguments: 'x' }],
    ['no tool name', { arguments: {} }],
  ])('%s: JSON-RPC -32602', async (_label, params) => {
    const answer = await call(params);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: -32602 } });
  });

  it('an argument the tool does not take: an isError result naming it', async () => {
    const answer = await call({ name: 'list_bases', arguments: { nameContains: 'x', bogus: 1 } });
    const result = answer.json?.result as { isError?: boolean; content: { text: string }[] };
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toMatch(/bogus/);
  });
});
