/**
 * MCP tools over the SDK's InMemoryTransport against a private strict fake Airtable: a Client per
 * connection (PAT, scopes, limits of its own), and calls whose structuredContent must parse with
 * the tool's own output schema. For tool tests that need no HTTP stack.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { AirtableApi } from '../../cloud/airtable/api-client';
import { AirtableRateLimiter } from '../../cloud/airtable/rate-limiter';
import { createMcpServer } from '../../cloud/mcp/server';
import type { ToolContext } from '../../cloud/mcp/tool-context';
import { ALL_TOOLS } from '../../cloud/mcp/tools/index';
import { startFakeAirtable, type FakeAirtable } from '../../fake-airtable/server';

export type Json = Record<string, unknown>;
export type Rec = { id: string; createdTime: string; fields: Json };

export const ALL_SCOPES = [
  'data.records:read',
  'data.records:write',
  'data.recordComments:read',
  'data.recordComments:write',
  'schema.bases:read',
  'schema.bases:write',
] as const;

export const RECONNECT = 'https://mcp.example/auth/authorize?platform=claude';

export interface ToolHarness {
  fake: FakeAirtable;
  userId: string;
  /** A connection with a fresh PAT of these scopes (default: all) and these limits. */
  connect(opts?: { scopes?: readonly string[]; limits?: ToolContext['limits'] }): Promise<Client>;
  call(client: Client, name: string, args?: Json): Promise<CallToolResult>;
  ok<T = Json>(client: Client, name: string, args?: Json): Promise<T>;
  errText(client: Client, name: string, args: Json): Promise<string>;
  /** Airtable requests the fake counted while `fn` ran, by family (e.g. records.list). */
  requestsDuring(fn: () => Promise<unknown>): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export async function startToolHarness(): Promise<ToolHarness> {
  const fake = await startFakeAirtable({ port: 0 });
  const userId = fake.admin.createUser({ email: 'ada@example.com', name: 'Ada' }).id;
  const limiter = new AirtableRateLimiter();
  const clients: Client[] = [];

  async function connect(
    opts: { scopes?: readonly string[]; limits?: ToolContext['limits'] } = {},
  ): Promise<Client> {
    const token = fake.admin.createPat({
      userId,
      scopes: [...(opts.scopes ?? ALL_SCOPES)] as never,
      bases: 'all',
    }).token;
    const airtable = new AirtableApi({
      baseUrl: fake.url,
      tokens: { getAccessToken: async () => token, refreshAfterUnauthorized: async () => null },
      limiter,
      userKey: userId,
      isPat: true,
      reconnectUrl: RECONNECT,
    });
    const ctx: ToolContext = {
      airtable,
      user: {
        userId,
        platform: 'claude',
        kind: 'pat',
        scopes: [],
        sessionExpiresAt: new Date('2030-01-01T00:00:00.000Z'),
      },
      links: { reconnectUrl: RECONNECT },
      ...(opts.limits ? { limits: opts.limits } : {}),
    };
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await createMcpServer(ctx).connect(serverSide);
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(clientSide);
    // listTools makes the SDK client validate structuredContent against each outputSchema.
    await client.listTools();
    clients.push(client);
    return client;
  }

  async function call(client: Client, name: string, args: Json = {}): Promise<CallToolResult> {
    return (await client.callTool({ name, arguments: args })) as CallToolResult;
  }

  async function ok<T = Json>(client: Client, name: string, args: Json = {}): Promise<T> {
    const res = await call(client, name, args);
    if (res.isError) throw new Error(`${name} failed: ${JSON.stringify(res.content)}`);
    const def = ALL_TOOLS.find((t) => t.name === name)!;
    const parsed = def.output.safeParse(res.structuredContent);
    if (!parsed.success) throw new Error(`${name}: output schema: ${parsed.error.message}`);
    const last = res.content[res.content.length - 1];
    expect(JSON.parse((last as { text: string }).text)).toEqual(res.structuredContent);
    return res.structuredContent as T;
  }

  async function errText(client: Client, name: string, args: Json): Promise<string> {
    const res = await call(client, name, args);
    if (!res.isError)
      throw new Error(`${name} succeeded: ${JSON.stringify(res.structuredContent)}`);
    return res.content.map((p) => (p.type === 'text' ? p.text : '')).join('\n');
  }

  async function requestsDuring(fn: () => Promise<unknown>): Promise<Record<string, number>> {
    const before = fake.admin.stats().apiRequests;
    await fn();
    const after = fake.admin.stats().apiRequests;
    const delta: Record<string, number> = {};
    for (const [k, v] of Object.entries(after)) {
      const d = v - (before[k as keyof typeof before] ?? 0);
      if (d > 0) delta[k] = d;
    }
    return delta;
  }

  return {
    fake,
    userId,
    connect,
    call,
    ok,
    errText,
    requestsDuring,
    async close() {
      for (const c of clients) await c.close();
      await fake.stop();
    },
  };
}
