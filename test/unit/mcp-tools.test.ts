/**
 * Every MCP tool through the SDK's Client over InMemoryTransport, against createMcpServer backed
 * by the strict fake Airtable (its own instance): paging, batching of writes, literal search,
 * size limits, error results with hints, and structuredContent checked against outputSchema.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { AirtableApi } from '../../cloud/airtable/api-client';
import { AirtableRateLimiter } from '../../cloud/airtable/rate-limiter';
import { createMcpServer } from '../../cloud/mcp/server';
import type { ToolContext } from '../../cloud/mcp/tool-context';
import { TOOL_NAMES } from '../../cloud/mcp/tool-names';
import { ALL_TOOLS } from '../../cloud/mcp/tools/index';
import { startFakeAirtable } from '../../fake-airtable/server';

type Fake = Awaited<ReturnType<typeof startFakeAirtable>>;
type Json = Record<string, unknown>;
type Rec = { id: string; createdTime: string; fields: Json };

const ALL_SCOPES = [
  'data.records:read',
  'data.records:write',
  'data.recordComments:read',
  'data.recordComments:write',
  'schema.bases:read',
  'schema.bases:write',
  'user.email:read',
] as const;
const RECONNECT = 'https://mcp.example/auth/authorize?platform=claude';

let fake: Fake;
let userId: string;
let patAll: string;
let baseId: string;
let tableId: string;
const clients: Client[] = [];
/** One limiter for every connection, as in production (process-wide). */
const limiter = new AirtableRateLimiter();

async function connect(
  token: string,
  user: Partial<ToolContext['user']> = {},
): Promise<{ client: Client; ctx: ToolContext }> {
  const kind = user.kind ?? 'pat';
  const airtable = new AirtableApi({
    baseUrl: fake.url,
    tokens: { getAccessToken: async () => token, refreshAfterUnauthorized: async () => null },
    limiter,
    userKey: userId,
    isPat: kind === 'pat',
    reconnectUrl: RECONNECT,
  });
  const ctx: ToolContext = {
    airtable,
    user: {
      userId,
      platform: 'claude',
      kind,
      scopes: [],
      sessionExpiresAt: new Date('2030-01-01T00:00:00.000Z'),
      ...user,
    },
    links: { reconnectUrl: RECONNECT },
  };
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await createMcpServer(ctx).connect(serverSide);
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(clientSide);
  // listTools makes the SDK client validate structuredContent against each outputSchema.
  await client.listTools();
  clients.push(client);
  return { client, ctx };
}

let mcp: Client;

async function call(name: string, args: Json = {}, c: Client = mcp): Promise<CallToolResult> {
  return (await c.callTool({ name, arguments: args })) as CallToolResult;
}

/** A successful call: structuredContent must parse with the tool's own output schema. */
async function ok<T = Json>(name: string, args: Json = {}, c: Client = mcp): Promise<T> {
  const res = await call(name, args, c);
  if (res.isError) throw new Error(`${name} failed: ${JSON.stringify(res.content)}`);
  const def = ALL_TOOLS.find((t) => t.name === name)!;
  const parsed = def.output.safeParse(res.structuredContent);
  expect(parsed.success).toBe(true);
  const last = res.content[res.content.length - 1];
  expect(last?.type).toBe('text');
  expect(JSON.parse((last as { text: string }).text)).toEqual(res.structuredContent);
  return res.structuredContent as T;
}

async function errText(name: string, args: Json, c: Client = mcp): Promise<string> {
  const res = await call(name, args, c);
  expect(res.isError).toBe(true);
  return res.content.map((p) => (p.type === 'text' ? p.text : '')).join('\n');
}

async function stats(): Promise<{
  apiRequests: Record<string, number>;
  apiRequestsByBase: Record<string, number>;
}> {
  const res = await fetch(`${fake.url}/__admin/stats`);
  expect(res.status).toBe(200);
  return (await res.json()) as {
    apiRequests: Record<string, number>;
    apiRequestsByBase: Record<string, number>;
  };
}

/** Airtable requests made by `fn`, by method family, read from the fake's /__admin/stats. */
async function requestsDuring(fn: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = (await stats()).apiRequests;
  await fn();
  const after = (await stats()).apiRequests;
  const delta: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d > 0) delta[k] = d;
  }
  return delta;
}

beforeAll(async () => {
  fake = await startFakeAirtable({ port: 0 });
  userId = fake.admin.createUser({ email: 'ada@example.com', name: 'Ada' }).id;
  patAll = fake.admin.createPat({ userId, scopes: [...ALL_SCOPES], bases: 'all' }).token;
  const records = Array.from({ length: 250 }, (_, i) => ({
    fields: {
      Name: `Contact ${String(i).padStart(3, '0')}`,
      Notes: i === 7 ? 'He said "hi" \\ then {Name} } left' : i === 8 ? 'ADA lovelace' : 'plain',
      Count: i,
    },
  }));
  const base = fake.admin.createBase({
    name: 'CRM',
    ownerUserIds: [userId],
    tables: [
      {
        name: 'Contacts',
        fields: [
          { name: 'Name', type: 'singleLineText' },
          { name: 'Notes', type: 'multilineText' },
          { name: 'Count', type: 'number', options: { precision: 0 } },
        ],
        views: [{ name: 'Grid view', type: 'grid' }],
        records,
      },
      { name: 'Scratch', fields: [{ name: 'Title', type: 'singleLineText' }] },
    ],
  });
  baseId = base.id;
  tableId = base.tables[0]!.id;
  mcp = (await connect(patAll)).client;
});

afterAll(async () => {
  for (const c of clients) await c.close();
  await fake?.stop();
});

describe('tools/list', () => {
  it('lists exactly TOOL_NAMES with schemas, annotations and descriptions', async () => {
    const { tools } = await mcp.listTools();
    expect(tools.map((t) => t.name)).toEqual([...TOOL_NAMES]);
    for (const t of tools) {
      expect(t.description?.length).toBeGreaterThan(40);
      expect(t.outputSchema).toBeDefined();
      for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint']) {
        expect(typeof (t.annotations as Json)[hint]).toBe('boolean');
      }
      const props = (t.inputSchema.properties ?? {}) as Record<string, { description?: string }>;
      for (const [name, p] of Object.entries(props)) {
        expect({ tool: t.name, name, described: Boolean(p.description) }).toEqual({
          tool: t.name,
          name,
          described: true,
        });
      }
    }
  });

  it('the cached tools/list equals what the SDK itself would build', async () => {
    const plain = new McpServer({ name: 'plain', version: '0' });
    const { ctx } = await connect(patAll);
    for (const t of ALL_TOOLS)
      plain.registerTool(
        t.name,
        {
          title: t.title,
          description: t.description,
          inputSchema: t.input,
          outputSchema: t.output,
          annotations: t.annotations,
        },
        (args) => t.call(args, ctx, new AbortController().signal),
      );
    const [a, b] = InMemoryTransport.createLinkedPair();
    await plain.connect(b);
    const c = new Client({ name: 't', version: '0' });
    await c.connect(a);
    clients.push(c);
    expect((await mcp.listTools()).tools).toEqual((await c.listTools()).tools);
  });
});

describe('account and schema tools', () => {
  it('whoami', async () => {
    const me = await ok<Json>('whoami');
    expect(me).toMatchObject({
      airtableUserId: userId,
      email: 'ada@example.com',
      connection: 'pat',
      platform: 'claude',
      sessionExpiresAt: '2030-01-01T00:00:00.000Z',
    });
  });

  it('list_bases, with a name filter', async () => {
    const all = await ok<{ bases: { id: string; name: string }[] }>('list_bases');
    expect(all.bases.map((b) => b.id)).toContain(baseId);
    const none = await ok<{ bases: unknown[] }>('list_bases', { nameContains: 'zzz-nothing' });
    expect(none.bases).toEqual([]);
  });

  it('list_tables at three detail levels', async () => {
    type T = { name: string; fields?: { options?: unknown }[]; views?: unknown[] };
    const ids = await ok<{ tables: T[] }>('list_tables', { baseId, detailLevel: 'tables' });
    expect(ids.tables.map((t) => t.name)).toEqual(['Contacts', 'Scratch']);
    expect(ids.tables[0]!.fields).toBeUndefined();
    const withFields = await ok<{ tables: T[] }>('list_tables', { baseId });
    expect(withFields.tables[0]!.fields).toHaveLength(3);
    expect(withFields.tables[0]!.fields![2]!.options).toBeUndefined();
    expect(withFields.tables[0]!.views).toBeUndefined();
    const full = await ok<{ tables: T[] }>('list_tables', { baseId, detailLevel: 'full' });
    expect(full.tables[0]!.fields![2]!.options).toEqual({ precision: 0 });
    expect(full.tables[0]!.views!.length).toBeGreaterThan(0);
  });

  it('describe_table by id and by name; an unknown table is a clear error', async () => {
    const byId = await ok<{ name: string; fields: { name: string }[] }>('describe_table', {
      baseId,
      table: tableId,
    });
    expect(byId.name).toBe('Contacts');
    const byName = await ok<{ id: string }>('describe_table', { baseId, table: 'contacts' });
    expect(byName.id).toBe(tableId);
    const text = await errText('describe_table', { baseId, table: 'Nope' });
    expect(text).toContain('No table "Nope"');
    expect(text).toContain('"Contacts"');
  });

  it('bad input is an error result naming the problem, not a protocol error', async () => {
    const text = await errText('describe_table', { baseId: 'not-a-base', table: 'x' });
    expect(text).toMatch(/baseId/);
    expect(text).toMatch(/list_bases/);
  });
});

describe('reading records', () => {
  it('list_records follows offsets: 250 records in one call, 3 Airtable pages', async () => {
    let got: { records: Rec[]; offset?: string } = { records: [] };
    const delta = await requestsDuring(async () => {
      got = await ok('list_records', { baseId, table: tableId, maxRecords: 1000 });
    });
    expect(got.records).toHaveLength(250);
    expect(got.offset).toBeUndefined();
    expect(new Set(got.records.map((r) => r.id)).size).toBe(250);
    expect(delta).toEqual({ 'records.list': 3 });
  });

  it('list_records stops at maxRecords and continues from the offset', async () => {
    const seen = new Set<string>();
    let offset: string | undefined;
    for (let i = 0; i < 3; i++) {
      const page: { records: Rec[]; offset?: string } = await ok('list_records', {
        baseId,
        table: 'Contacts',
        maxRecords: 100,
        sort: [{ field: 'Count', direction: 'asc' }],
        fields: ['Name', 'Count'],
        ...(offset ? { offset } : {}),
      });
      page.records.forEach((r) => seen.add(r.id));
      offset = page.offset;
      if (i < 2) expect(offset).toBeDefined();
    }
    expect(offset).toBeUndefined();
    expect(seen.size).toBe(250);
  });

  it('list_records with a formula, sort and fields', async () => {
    const res = await ok<{ records: Rec[] }>('list_records', {
      baseId,
      table: tableId,
      filterByFormula: '{Count} >= 245',
      sort: [{ field: 'Count', direction: 'desc' }],
      fields: ['Count'],
    });
    expect(res.records.map((r) => r.fields.Count)).toEqual([249, 248, 247, 246, 245]);
    expect(Object.keys(res.records[0]!.fields)).toEqual(['Count']);
  });

  it('a formula too long for a GET URL goes through POST listRecords', async () => {
    const terms = Array.from({ length: 1200 }, (_, i) => `{Count} = ${1000 + i}`);
    const formula = `OR({Count} = 3, ${terms.join(', ')})`;
    expect(formula.length).toBeGreaterThan(16_000);
    const res = await ok<{ records: Rec[] }>('list_records', {
      baseId,
      table: tableId,
      filterByFormula: formula,
    });
    expect(res.records.map((r) => r.fields.Count)).toEqual([3]);
  });

  it('get_record', async () => {
    const first = await ok<{ records: Rec[] }>('list_records', {
      baseId,
      table: tableId,
      maxRecords: 1,
    });
    const r = await ok<Rec>('get_record', {
      baseId,
      table: tableId,
      recordId: first.records[0]!.id,
    });
    expect(r.id).toBe(first.records[0]!.id);
    const text = await errText('get_record', {
      baseId,
      table: tableId,
      recordId: 'recAAAAAAAAAAAAAA',
    });
    expect(text).toMatch(/404|NOT_FOUND/);
  });

  it('search_records: case-insensitive across text fields', async () => {
    const res = await ok<{ records: Rec[]; searchedFields: string[] }>('search_records', {
      baseId,
      table: tableId,
      searchText: 'ada LOVELACE',
    });
    expect(res.records.map((r) => r.fields.Notes)).toEqual(['ADA lovelace']);
    expect(res.searchedFields).toEqual(['Name', 'Notes']);
  });

  it('search_records keeps quotes, backslashes and braces literal', async () => {
    const hit = await ok<{ records: Rec[] }>('search_records', {
      baseId,
      table: tableId,
      searchText: 'said "hi" \\ then {Name} }',
    });
    expect(hit.records).toHaveLength(1);
    expect(hit.records[0]!.fields.Count).toBe(7);
    for (const attack of ['") , TRUE(), ("', '" & "', '\\", TRUE(), "', '{Count}', '"))']) {
      const res = await ok<{ records: Rec[] }>('search_records', {
        baseId,
        table: tableId,
        searchText: attack,
        searchFields: ['Notes'],
      });
      expect({ attack, n: res.records.length }).toEqual({ attack, n: 0 });
    }
  });

  it('cuts a result over 100,000 characters at a record boundary and continues exactly', async () => {
    const big = fake.admin.createBase({
      name: 'Big',
      ownerUserIds: [userId],
      tables: [
        {
          name: 'Docs',
          fields: [
            { name: 'Name', type: 'singleLineText' },
            { name: 'Body', type: 'multilineText' },
          ],
          records: Array.from({ length: 60 }, (_, i) => ({
            fields: { Name: `doc ${i}`, Body: `${i} `.padEnd(4000, 'x') },
          })),
        },
      ],
    });
    const first = await call('list_records', { baseId: big.id, table: 'Docs', maxRecords: 60 });
    expect(first.isError).toBeFalsy();
    const data = first.structuredContent as { records: Rec[]; offset?: string; notice?: string };
    expect(JSON.stringify(data).length).toBeLessThanOrEqual(100_000);
    expect(data.records.length).toBeLessThan(60);
    expect(data.offset).toBeDefined();
    expect(data.notice).toMatch(/offset/);
    expect((first.content[0] as { text: string }).text).toBe(data.notice);
    const ids = new Set(data.records.map((r) => r.id));
    let offset = data.offset;
    for (let i = 0; offset && i < 5; i++) {
      const more: { records: Rec[]; offset?: string } = await ok('list_records', {
        baseId: big.id,
        table: 'Docs',
        maxRecords: 60,
        offset,
      });
      more.records.forEach((r) => ids.add(r.id));
      offset = more.offset;
    }
    expect(offset).toBeUndefined();
    expect(ids.size).toBe(60);
  });
});

describe('writing records', () => {
  it('create_records with 25 records makes 3 Airtable POSTs', async () => {
    let res: { records: Rec[]; createdCount: number } = { records: [], createdCount: 0 };
    const delta = await requestsDuring(async () => {
      res = await ok('create_records', {
        baseId,
        table: 'Scratch',
        records: Array.from({ length: 25 }, (_, i) => ({ fields: { Title: `t${i}` } })),
      });
    });
    expect(res.createdCount).toBe(25);
    expect(res.records.map((r) => r.fields.Title)).toEqual(
      Array.from({ length: 25 }, (_, i) => `t${i}`),
    );
    expect(delta).toEqual({ 'records.create': 3 });
  });

  it('update_records merges, replaces, upserts, and refuses records without ids', async () => {
    const created = await ok<{ records: Rec[] }>('create_records', {
      baseId,
      table: tableId,
      records: [{ fields: { Name: 'Upd', Notes: 'keep', Count: 1 } }],
    });
    const id = created.records[0]!.id;
    const merged = await ok<{ records: Rec[]; updatedCount: number }>('update_records', {
      baseId,
      table: tableId,
      records: [{ id, fields: { Count: 2 } }],
    });
    expect(merged.records[0]!.fields).toMatchObject({ Name: 'Upd', Notes: 'keep', Count: 2 });
    const replaced = await ok<{ records: Rec[] }>('update_records', {
      baseId,
      table: tableId,
      mode: 'replace',
      records: [{ id, fields: { Name: 'Upd' } }],
    });
    expect(replaced.records[0]!.fields).toEqual({ Name: 'Upd' });
    const upsert = await ok<{
      createdCount: number;
      updatedCount: number;
      createdRecordIds: string[];
    }>('update_records', {
      baseId,
      table: tableId,
      fieldsToMergeOn: ['Name'],
      records: [
        { fields: { Name: 'Upd', Count: 9 } },
        { fields: { Name: 'Brand new', Count: 10 } },
      ],
    });
    expect(upsert).toMatchObject({ createdCount: 1, updatedCount: 1 });
    expect(upsert.createdRecordIds).toHaveLength(1);
    const text = await errText('update_records', {
      baseId,
      table: tableId,
      records: [{ fields: {} }],
    });
    expect(text).toMatch(/no id/);
  });

  it('delete_records in batches of 10', async () => {
    const created = await ok<{ records: Rec[] }>('create_records', {
      baseId,
      table: 'Scratch',
      records: Array.from({ length: 12 }, (_, i) => ({ fields: { Title: `d${i}` } })),
    });
    let res: { deletedCount: number } = { deletedCount: 0 };
    const delta = await requestsDuring(async () => {
      res = await ok('delete_records', {
        baseId,
        table: 'Scratch',
        recordIds: created.records.map((r) => r.id),
      });
    });
    expect(res.deletedCount).toBe(12);
    expect(delta).toEqual({ 'records.delete': 2 });
  });
});

describe('schema writes and comments', () => {
  it('create_table, update_table, create_field, update_field', async () => {
    const t = await ok<{ id: string; fields: { name: string }[] }>('create_table', {
      baseId,
      name: 'Projects',
      description: 'made by a test',
      fields: [
        { name: 'Title', type: 'singleLineText' },
        { name: 'Stage', type: 'singleSelect', options: { choices: [{ name: 'Open' }] } },
      ],
    });
    expect(t.fields.map((f) => f.name)).toEqual(['Title', 'Stage']);
    const renamed = await ok<{ name: string }>('update_table', {
      baseId,
      table: t.id,
      name: 'Projects 2',
    });
    expect(renamed.name).toBe('Projects 2');
    const f = await ok<{ tableId: string; field: { id: string; type: string } }>('create_field', {
      baseId,
      table: 'Projects 2',
      name: 'Budget',
      type: 'currency',
      options: { precision: 2, symbol: '$' },
    });
    expect(f.tableId).toBe(t.id);
    expect(f.field.type).toBe('currency');
    const uf = await ok<{ field: { name: string; description?: string } }>('update_field', {
      baseId,
      table: 'Projects 2',
      field: 'Budget',
      name: 'Budget (USD)',
      description: 'dollars',
    });
    expect(uf.field).toMatchObject({ name: 'Budget (USD)', description: 'dollars' });
    expect(await errText('update_table', { baseId, table: t.id })).toMatch(/Nothing to change/);
  });

  it('create_comment and list_comments', async () => {
    const first = await ok<{ records: Rec[] }>('list_records', {
      baseId,
      table: tableId,
      maxRecords: 1,
    });
    const recordId = first.records[0]!.id;
    const c = await ok<{ id: string; text: string }>('create_comment', {
      baseId,
      table: tableId,
      recordId,
      text: 'Looks good',
    });
    expect(c.text).toBe('Looks good');
    const list = await ok<{ comments: { id: string }[] }>('list_comments', {
      baseId,
      table: tableId,
      recordId,
    });
    expect(list.comments.map((x) => x.id)).toContain(c.id);
  });
});

describe('errors from Airtable become tool errors with a hint', () => {
  it('a missing scope names the scope and the reconnect link', async () => {
    const readOnly = fake.admin.createPat({
      userId,
      scopes: ['data.records:read'],
      bases: 'all',
    }).token;
    const { client } = await connect(readOnly);
    const text = await errText(
      'create_records',
      { baseId, table: 'Scratch', records: [{ fields: { Title: 'x' } }] },
      client,
    );
    expect(text).toContain('INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND');
    expect(text).toContain('data.records:write');
    expect(text).toContain(RECONNECT);
    expect(text).not.toContain(readOnly);
  });

  it('for an OAuth connection without the scope, says it was not granted', async () => {
    const readOnly = fake.admin.createPat({
      userId,
      scopes: ['data.records:read'],
      bases: 'all',
    }).token;
    const { client } = await connect(readOnly, { kind: 'oauth', scopes: ['data.records:read'] });
    const text = await errText('list_tables', { baseId }, client);
    expect(text).toContain('not granted the "schema.bases:read" scope');
    expect(text).toContain(RECONNECT);
  });

  it('search_records without schema access asks for searchFields, and works with them', async () => {
    const readOnly = fake.admin.createPat({
      userId,
      scopes: ['data.records:read'],
      bases: 'all',
    }).token;
    const { client } = await connect(readOnly);
    const text = await errText(
      'search_records',
      { baseId, table: tableId, searchText: 'ada' },
      client,
    );
    expect(text).toContain('searchFields');
    expect(text).toContain('schema.bases:read');
    const res = await ok<{ records: Rec[] }>(
      'search_records',
      { baseId, table: tableId, searchText: 'ada', searchFields: ['Notes'] },
      client,
    );
    expect(res.records).toHaveLength(1);
  });

  it('a write that fails part-way says which records were already created', async () => {
    const records = Array.from({ length: 25 }, (_, i) => ({
      fields: i === 22 ? { Title: 'bad', Nope: 1 } : { Title: `p${i}` },
    }));
    const text = await errText('create_records', { baseId, table: 'Scratch', records });
    expect(text).toContain('UNKNOWN_FIELD_NAME');
    expect(text).toMatch(/20 of 25 records were created before this error \(ids: rec/);
    expect(text).toContain('the remaining 5 were not');
  });

  it('a transient 503 on a read is retried; on a write it is reported', async () => {
    fake.admin.addFault({ pathPattern: `^/v0/${baseId}/`, method: 'GET', status: 503, times: 1 });
    const res = await ok<{ records: Rec[] }>('list_records', {
      baseId,
      table: tableId,
      maxRecords: 3,
    });
    expect(res.records).toHaveLength(3);
    fake.admin.addFault({ pathPattern: `^/v0/${baseId}/`, method: 'POST', status: 503, times: 1 });
    const text = await errText('create_records', {
      baseId,
      table: 'Scratch',
      records: [{ fields: { Title: 'once' } }],
    });
    expect(text).toContain('503');
    fake.admin.clearFaults();
  });

  it('the client never tripped Airtable rate limits during this file', async () => {
    const res = await fetch(`${fake.url}/__admin/stats`);
    const body = (await res.json()) as { rateLimited: { total: number } };
    expect(body.rateLimited.total).toBe(0);
  });

  it('a revoked token asks to reconnect', async () => {
    const pat = fake.admin.createPat({ userId, scopes: [...ALL_SCOPES], bases: 'all' }).token;
    const { client } = await connect(pat);
    fake.admin.revokePat(pat);
    const text = await errText('list_bases', {}, client);
    expect(text).toMatch(/401/);
    expect(text).toContain(RECONNECT);
    expect(text).not.toContain(pat);
  });
});
