/**
 * What goes wrong in a real conversation, through the MCP SDK's Client over HTTP against the
 * running server: Airtable 429 storms (Retry-After honoured within the budget, else a clear
 * error), a token without a scope, a session revoked mid-conversation, and two users who must
 * never see each other's bases. Faults are injected only on this file's own bases (the fake is
 * shared by parallel test files).
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { harness } from '../harness/env';
import { fakeAdmin } from '../helpers/airtable';
import {
  ALL_SCOPES,
  baseWithTasks,
  callTool,
  connectWithBearer,
  errorText,
  mcpHeaders,
  ok,
  patUser,
  rawRequest,
  resultText,
  TOOLS_LIST,
} from './mcp-http-helpers';

const clients: Client[] = [];
async function connect(session: string): Promise<Client> {
  const c = await connectWithBearer(session);
  clients.push(c);
  return c;
}

afterAll(async () => {
  for (const c of clients) await c.close();
});

describe('Airtable 429 storm', () => {
  it('waits as Retry-After asks and the call still succeeds within the budget', async () => {
    const user = await patUser();
    const { baseId } = await baseWithTasks(user.userId, 3);
    const client = await connect(user.session);
    await fakeAdmin().addFault({
      pathPattern: `^/v0/${baseId}/`,
      status: 429,
      times: 3,
      headers: { 'Retry-After': '1' },
    });
    const started = Date.now();
    const page = await ok<{ records: unknown[] }>(client, 'list_records', {
      baseId,
      table: 'Tasks',
    });
    expect(page.records).toHaveLength(3);
    // Three refusals, each followed by the 1 s wait Airtable asked for.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('fails at once with a clear message when Airtable asks for a wait beyond the budget', async () => {
    // Its own user: a 429 also holds back the PAT user's other requests in this process.
    const user = await patUser();
    const { baseId } = await baseWithTasks(user.userId, 1);
    const client = await connect(user.session);
    await fakeAdmin().addFault({
      pathPattern: `^/v0/${baseId}/`,
      status: 429,
      times: 1,
      headers: { 'Retry-After': '120' },
    });
    const started = Date.now();
    const text = await errorText(client, 'list_records', { baseId, table: 'Tasks' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(text).toMatch(/429/);
    expect(text).toMatch(/rate limit/i);
    expect(text).toContain('120 s');
  });
});

it('a PAT without data.records:write: create_records is an error result naming the scope', async () => {
  const user = await patUser(ALL_SCOPES.filter((s) => s !== 'data.records:write'));
  const { baseId } = await baseWithTasks(user.userId);
  const client = await connect(user.session);
  const text = await errorText(client, 'create_records', {
    baseId,
    table: 'Tasks',
    records: [{ fields: { Name: 'nope' } }],
  });
  expect(text).toContain('403');
  expect(text).toContain('data.records:write');
  expect(text).toMatch(/How to fix/);
  // Reading still works with the same connection.
  await ok(client, 'list_records', { baseId, table: 'Tasks' });
});

it('a session revoked mid-conversation: the next call gets 401 with WWW-Authenticate', async () => {
  const user = await patUser();
  const client = await connect(user.session);
  await ok(client, 'whoami');
  const out = await fetch(`${harness().baseUrl}/auth/logout`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${user.session}` },
  });
  expect(out.status).toBe(200);

  const err: unknown = await callTool(client, 'whoami').then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StreamableHTTPError);
  expect((err as StreamableHTTPError).code).toBe(401);

  const raw = await rawRequest(
    'POST',
    '/mcp',
    mcpHeaders({ Authorization: `Bearer ${user.session}` }),
    TOOLS_LIST,
  );
  expect(raw.status).toBe(401);
  const challenge = String(raw.headers['www-authenticate']);
  expect(challenge).toMatch(/^Bearer /);
  expect(challenge).toContain('error="invalid_token"');
  expect(challenge).toContain('resource_metadata="');
  expect(raw.json).toMatchObject({ jsonrpc: '2.0', error: { code: -32001 } });
});

it("two users never see each other's bases", async () => {
  const [alice, bob] = await Promise.all([patUser(), patUser()]);
  const [aBase, bBase] = await Promise.all([
    baseWithTasks(alice.userId, 2, 'Alice only'),
    baseWithTasks(bob.userId, 2, 'Bob only'),
  ]);
  const [a, b] = await Promise.all([connect(alice.session), connect(bob.session)]);

  const aList = await ok<{ bases: { id: string }[] }>(a, 'list_bases');
  const bList = await ok<{ bases: { id: string }[] }>(b, 'list_bases');
  expect(aList.bases.map((x) => x.id)).toEqual([aBase.baseId]);
  expect(bList.bases.map((x) => x.id)).toEqual([bBase.baseId]);

  for (const [client, other] of [
    [a, bBase],
    [b, aBase],
  ] as const) {
    const listed = await callTool(client, 'list_records', { baseId: other.baseId, table: 'Tasks' });
    expect(listed.isError).toBe(true);
    expect(listed.structuredContent).toBeUndefined();
    expect(resultText(listed)).toContain('403');
    expect(resultText(listed)).not.toContain('Task 000');
    const schema = await callTool(client, 'describe_table', {
      baseId: other.baseId,
      table: 'Tasks',
    });
    expect(schema.isError).toBe(true);
  }
});
