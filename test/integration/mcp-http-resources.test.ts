/**
 * Resources and prompts on the running server respect the caller's OAuth scopes like tools do
 * (RFC 6750 section 3.1): with an access token lacking airtable:read, resources/* and prompts/*
 * answer 403 insufficient_scope naming it; with airtable:read they work. Raw HTTP, so the status
 * and challenge are visible.
 */
import { harness } from '../harness/env';
import { fakeAdmin, uniqueUserId } from '../helpers/airtable';
import { baseWithTasks, mcpHeaders, rawRequest } from './mcp-http-helpers';
import { sdkTokens } from './oauth-e2e-helpers';

const h = harness();

function rpc(token: string, method: string, params: Record<string, unknown> = {}) {
  return rawRequest(
    'POST',
    '/mcp',
    mcpHeaders({ Authorization: `Bearer ${token}` }),
    JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  );
}

it('resources/* and prompts/* need airtable:read', async () => {
  const user = await fakeAdmin().createUser({ id: uniqueUserId() });
  const { baseId } = await baseWithTasks(user.id, 1);
  const uri = `airtable://bases/${baseId}/schema`;

  const writeOnly = (await sdkTokens(`${h.baseUrl}/mcp`, user.id, 'airtable:write')).tokens;
  expect(writeOnly.scope).toBe('airtable:write');
  for (const [method, params] of [
    ['resources/list', {}],
    ['resources/templates/list', {}],
    ['resources/read', { uri }],
    ['prompts/list', {}],
    ['prompts/get', { name: 'explore_base', arguments: { baseId } }],
  ] as const) {
    const answer = await rpc(writeOnly.access_token, method, params);
    expect({ method, status: answer.status }).toEqual({ method, status: 403 });
    // Step-up (MCP 2025-11-25): the challenge lists the scopes already granted plus the missing one.
    expect(String(answer.headers['www-authenticate'])).toContain(
      'scope="airtable:write airtable:read"',
    );
  }

  const readOnly = (await sdkTokens(`${h.baseUrl}/mcp`, user.id, 'airtable:read')).tokens;
  const list = await rpc(readOnly.access_token, 'resources/list');
  expect(list.status).toBe(200);
  expect(JSON.stringify(list.json)).toContain(uri);
  const read = await rpc(readOnly.access_token, 'resources/read', { uri });
  expect(read.status).toBe(200);
  expect(JSON.stringify(read.json)).toContain('Tasks');
  const prompt = await rpc(readOnly.access_token, 'prompts/get', {
    name: 'explore_base',
    arguments: { baseId: 'bad' },
  });
  expect(prompt.status).toBe(200);
  expect(prompt.json?.error).toMatchObject({ code: -32602 });
});

it('resources/read of a base the person cannot reach is a JSON-RPC error, not a 500', async () => {
  const user = await fakeAdmin().createUser({ id: uniqueUserId() });
  const { tokens } = await sdkTokens(`${h.baseUrl}/mcp`, user.id, 'airtable:read');
  for (const [uri, code] of [
    ['airtable://bases/appAAAAAAAAAAAAAA/schema', -32002],
    ['not a uri', -32602],
    ['x://y', -32602],
    ['airtable://bases/app/schema', -32602],
  ] as const) {
    const answer = await rpc(tokens.access_token, 'resources/read', { uri });
    expect(answer.status).toBe(200);
    expect(answer.json?.error).toMatchObject({ code, message: expect.any(String) });
  }
});
