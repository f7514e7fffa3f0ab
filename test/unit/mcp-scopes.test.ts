/**
 * The OAuth scopes /mcp enforces per JSON-RPC message (cloud/mcp/tool-scopes.ts): read-only tools
 * and every resources/* and prompts/* method need airtable:read, other tools airtable:write; and
 * which messages reach Airtable (so /mcp loads the stored credential for them).
 */
import { missingScope, reachesAirtable, scopeForMessage } from '../../cloud/mcp/tool-scopes';

const msg = (method: string, params?: Record<string, unknown>) => ({
  jsonrpc: '2.0',
  id: 1,
  method,
  params,
});
const tool = (name: string) => msg('tools/call', { name, arguments: {} });

it('tools: read-only ones need airtable:read, the others airtable:write', () => {
  expect(scopeForMessage(tool('list_views'))).toBe('airtable:read');
  expect(scopeForMessage(tool('list_webhook_payloads'))).toBe('airtable:read');
  expect(scopeForMessage(tool('upload_attachment'))).toBe('airtable:write');
  expect(scopeForMessage(tool('refresh_webhook'))).toBe('airtable:write');
  expect(scopeForMessage(tool('no_such_tool'))).toBe('airtable:write');
});

it.each([
  'resources/list',
  'resources/read',
  'resources/templates/list',
  'prompts/list',
  'prompts/get',
])('%s needs airtable:read', (method) => {
  expect(missingScope(msg(method), ['airtable:write'])).toBe('airtable:read');
  expect(missingScope(msg(method), ['airtable:read'])).toBeUndefined();
});

it('initialize, ping and tools/list need no scope; a batch needs what any of its messages needs', () => {
  for (const m of ['initialize', 'ping', 'tools/list', 'notifications/initialized'])
    expect(missingScope(msg(m), [])).toBeUndefined();
  expect(missingScope([msg('ping'), tool('create_webhook')], ['airtable:read'])).toBe(
    'airtable:write',
  );
  expect(missingScope([msg('ping'), msg('prompts/get')], [])).toBe('airtable:read');
  expect(missingScope([null, 3, 'x', { method: 7 }], [])).toBeUndefined();
});

it('tools/call, resources/list and resources/read reach Airtable; prompts and lists do not', () => {
  for (const m of ['tools/call', 'resources/list', 'resources/read'])
    expect(reachesAirtable(msg(m))).toBe(true);
  for (const m of [
    'prompts/get',
    'prompts/list',
    'resources/templates/list',
    'tools/list',
    'initialize',
  ])
    expect(reachesAirtable(msg(m))).toBe(false);
  expect(reachesAirtable([msg('ping'), msg('resources/read')])).toBe(true);
  expect(reachesAirtable('not json-rpc')).toBe(false);
});
