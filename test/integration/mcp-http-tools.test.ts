/**
 * Every tool through the MCP SDK's own Client + StreamableHTTPClientTransport, over HTTP, against
 * the running test server (the bundle on parse-server) and the strict fake Airtable. Results carry
 * structuredContent that parses with the tool's output schema; list_records pages through 250
 * records; create_records with 25 records makes exactly three Airtable calls. The base-schema
 * resources and the prompts go the same way; the bundle uploads attachments to the fake's content
 * host and, configured as in production, fetches no private URL.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { TOOL_NAMES } from '../../cloud/mcp/tool-names';
import { fakeAdmin } from '../helpers/airtable';
import {
  ALL_SCOPES,
  baseWithTasks,
  connectWithBearer,
  errorText,
  ok,
  patUser,
  type Json,
} from './mcp-http-helpers';

type Rec = { id: string; createdTime: string; fields: Json };
type RecordList = { records: Rec[]; offset?: string; notice?: string };

let client: Client;
let userId: string;
let baseId: string;
let tableId: string;
const used = new Set<string>();

async function run<T = Json>(name: string, args: Json = {}): Promise<T> {
  used.add(name);
  return ok<T>(client, name, args);
}

/** Airtable requests the fake counted for this base while `fn` ran (nobody else uses it). */
async function baseRequestsDuring(fn: () => Promise<unknown>): Promise<number> {
  const before = (await fakeAdmin().stats()).apiRequestsByBase[baseId] ?? 0;
  await fn();
  return ((await fakeAdmin().stats()).apiRequestsByBase[baseId] ?? 0) - before;
}

beforeAll(async () => {
  const user = await patUser([...ALL_SCOPES, 'webhook:manage']);
  userId = user.userId;
  ({ baseId, tableId } = await baseWithTasks(userId, 250, 'HTTP tools base'));
  client = await connectWithBearer(user.session);
});

afterAll(async () => {
  await client?.close();
});

it('tools/list over HTTP names exactly TOOL_NAMES, each with an output schema', async () => {
  const { tools } = await client.listTools();
  expect(tools.map((t) => t.name)).toEqual([...TOOL_NAMES]);
  for (const t of tools) expect(t.outputSchema).toBeDefined();
});

it('whoami, list_bases, list_tables and describe_table', async () => {
  const me = await run<{ airtableUserId: string; connection: string }>('whoami');
  expect(me).toMatchObject({ airtableUserId: userId, connection: 'pat' });
  const { bases } = await run<{ bases: { id: string }[] }>('list_bases');
  expect(bases.map((b) => b.id)).toEqual([baseId]);
  const { tables } = await run<{ tables: { id: string; name: string }[] }>('list_tables', {
    baseId,
  });
  expect(tables.map((t) => t.name)).toEqual(['Tasks']);
  const table = await run<{ id: string; fields: { name: string }[] }>('describe_table', {
    baseId,
    table: 'Tasks',
  });
  expect(table.id).toBe(tableId);
  expect(table.fields.map((f) => f.name)).toEqual(['Name', 'Notes', 'Count']);
});

it('list_records pages through 250 records with offsets, none lost or repeated', async () => {
  const seen: string[] = [];
  let offset: string | undefined;
  let calls = 0;
  do {
    const page: RecordList = await run<RecordList>('list_records', {
      baseId,
      table: tableId,
      maxRecords: 100,
      ...(offset ? { offset } : {}),
    });
    seen.push(...page.records.map((r) => String(r.fields.Name)));
    offset = page.offset;
    calls++;
  } while (offset && calls < 10);
  expect(calls).toBe(3);
  expect(new Set(seen).size).toBe(250);
  expect(seen.sort()).toEqual(
    Array.from({ length: 250 }, (_, i) => `Task ${String(i).padStart(3, '0')}`),
  );

  // One call for all of them: three Airtable pages of at most 100.
  let all: RecordList | undefined;
  const requests = await baseRequestsDuring(async () => {
    all = await run<RecordList>('list_records', { baseId, table: tableId, maxRecords: 1000 });
  });
  expect(all!.records).toHaveLength(250);
  expect(all!.offset).toBeUndefined();
  expect(requests).toBe(3);
});

it('search_records and get_record', async () => {
  const found = await run<RecordList & { searchedFields: string[] }>('search_records', {
    baseId,
    table: 'Tasks',
    searchText: 'task 042',
  });
  expect(found.records.map((r) => r.fields.Name)).toEqual(['Task 042']);
  expect(found.searchedFields).toEqual(['Name', 'Notes']);
  const rec = await run<Rec>('get_record', {
    baseId,
    table: 'Tasks',
    recordId: found.records[0]!.id,
  });
  expect(rec.fields).toMatchObject({ Name: 'Task 042', Count: 42 });
});

it('summarize_records totals all 250 records in three Airtable calls', async () => {
  let summary:
    { complete: boolean; totals: { count: number; metrics: { value: unknown }[] } } | undefined;
  const requests = await baseRequestsDuring(async () => {
    summary = await run('summarize_records', {
      baseId,
      table: 'Tasks',
      metrics: [{ field: 'Count', op: 'sum' }],
    });
  });
  expect(summary).toMatchObject({
    complete: true,
    totals: { count: 250, metrics: [{ value: (249 * 250) / 2 }] },
  });
  expect(requests).toBe(3);
});

it('create_records with 25 records makes three Airtable calls; update and delete them', async () => {
  const records = Array.from({ length: 25 }, (_, i) => ({ fields: { Name: `New ${i}` } }));
  let created: { records: Rec[]; createdCount: number } | undefined;
  const requests = await baseRequestsDuring(async () => {
    created = await run('create_records', { baseId, table: 'Tasks', records });
  });
  expect(created!.createdCount).toBe(25);
  expect(requests).toBe(3);
  const ids = created!.records.map((r) => r.id);

  const updated = await run<{ updatedCount: number }>('update_records', {
    baseId,
    table: 'Tasks',
    records: ids.slice(0, 2).map((id) => ({ id, fields: { Count: 7 } })),
  });
  expect(updated.updatedCount).toBe(2);
  const stored = await fakeAdmin().listRecords(baseId, tableId);
  expect(stored.records.filter((r) => r.fields.Count === 7 && ids.includes(r.id))).toHaveLength(2);

  const deleted = await run<{ deletedCount: number }>('delete_records', {
    baseId,
    table: 'Tasks',
    recordIds: ids,
  });
  expect(deleted.deletedCount).toBe(25);
  expect((await fakeAdmin().listRecords(baseId, tableId)).records).toHaveLength(250);
});

it('create_comment and list_comments', async () => {
  const { records } = await run<RecordList>('list_records', {
    baseId,
    table: 'Tasks',
    maxRecords: 1,
  });
  const recordId = records[0]!.id;
  const made = await run<{ id: string; text: string }>('create_comment', {
    baseId,
    table: 'Tasks',
    recordId,
    text: 'Looks good over HTTP',
  });
  expect(made.text).toBe('Looks good over HTTP');
  const { comments } = await run<{ comments: { id: string }[] }>('list_comments', {
    baseId,
    table: 'Tasks',
    recordId,
  });
  expect(comments.map((c) => c.id)).toEqual([made.id]);
});

it('create_table, update_table, create_field and update_field', async () => {
  const table = await run<{ id: string; fields: { name: string }[] }>('create_table', {
    baseId,
    name: 'Projects',
    fields: [{ name: 'Title', type: 'singleLineText' }],
  });
  expect(table.fields.map((f) => f.name)).toEqual(['Title']);
  const renamed = await run<{ name: string }>('update_table', {
    baseId,
    table: table.id,
    name: 'Projects 2026',
  });
  expect(renamed.name).toBe('Projects 2026');
  const field = await run<{ field: { id: string; type: string } }>('create_field', {
    baseId,
    table: table.id,
    name: 'Budget',
    type: 'number',
    options: { precision: 2 },
  });
  expect(field.field.type).toBe('number');
  const changed = await run<{ field: { name: string; description?: string } }>('update_field', {
    baseId,
    table: 'Projects 2026',
    field: field.field.id,
    name: 'Budget (EUR)',
    description: 'set over HTTP',
  });
  expect(changed.field).toMatchObject({ name: 'Budget (EUR)', description: 'set over HTTP' });
});

it('list_views and create_base', async () => {
  const { views } = await run<{ views: { name: string; type: string; tableId: string }[] }>(
    'list_views',
    { baseId, table: 'Tasks' },
  );
  expect(views).toEqual([expect.objectContaining({ type: 'grid', tableId })]);
  const ws = await fakeAdmin().createWorkspace({ name: 'HTTP workspace', ownerUserIds: [userId] });
  const made = await run<{ id: string; tables: { name: string }[] }>('create_base', {
    name: 'Made over HTTP',
    workspaceId: ws.id,
    tables: [{ name: 'Items', fields: [{ name: 'Name', type: 'singleLineText' }] }],
  });
  expect(made.tables.map((t) => t.name)).toEqual(['Items']);
  expect((await fakeAdmin().getBase(made.id)).workspaceId).toBe(ws.id);
});

it('upload_attachment: base64 to the content host, by reference, and no private URL fetched', async () => {
  const files = await run<{ field: { id: string } }>('create_field', {
    baseId,
    table: tableId,
    name: 'Files',
    type: 'multipleAttachments',
  });
  const { records } = await run<RecordList>('list_records', {
    baseId,
    table: 'Tasks',
    maxRecords: 1,
  });
  const recordId = records[0]!.id;
  const uploads = async (fn: () => Promise<unknown>) => {
    const before = (await fakeAdmin().stats()).apiRequests['attachments.upload'] ?? 0;
    await fn();
    return ((await fakeAdmin().stats()).apiRequests['attachments.upload'] ?? 0) - before;
  };
  let uploaded: { attachments: { url: string; filename: string }[] } | undefined;
  expect(
    await uploads(async () => {
      uploaded = await run('upload_attachment', {
        baseId,
        recordId,
        field: 'Files',
        content: Buffer.from('over http').toString('base64'),
        filename: 'note.txt',
        contentType: 'text/plain',
      });
    }),
  ).toBe(1);
  expect(await (await fetch(uploaded!.attachments[0]!.url)).text()).toBe('over http');

  const linked = await run<{ attachments: { filename: string }[] }>('upload_attachment', {
    baseId,
    table: 'Tasks',
    recordId,
    field: files.field.id,
    url: 'https://cdn.example.com/pic.png',
    urlMode: 'reference',
  });
  expect(linked.attachments.map((a) => a.filename)).toEqual(['note.txt', 'pic.png']);

  // The shared stack runs like production (no ATTACHMENT_FETCH_ALLOW_PRIVATE): a local file
  // server is never contacted, whatever the URL's form.
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    res.end('secret');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    for (const url of [
      `http://127.0.0.1:${port}/x`,
      `https://127.0.0.1:${port}/x`,
      `https://localhost:${port}/x`,
    ])
      expect(
        await errorText(client, 'upload_attachment', { baseId, recordId, field: 'Files', url }),
      ).toMatch(/https|non-public/);
    expect(hits).toEqual([]);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

it('update_comment and delete_comment', async () => {
  const { records } = await run<RecordList>('list_records', {
    baseId,
    table: 'Tasks',
    maxRecords: 1,
  });
  const recordId = records[0]!.id;
  const made = await run<{ id: string }>('create_comment', {
    baseId,
    table: 'Tasks',
    recordId,
    text: 'draft',
  });
  const edited = await run<{ text: string }>('update_comment', {
    baseId,
    table: 'Tasks',
    recordId,
    commentId: made.id,
    text: 'final',
  });
  expect(edited.text).toBe('final');
  expect(
    await run('delete_comment', { baseId, table: 'Tasks', recordId, commentId: made.id }),
  ).toEqual({ id: made.id, deleted: true });
});

it('webhooks: create, record changes read by polling payloads, refresh, list, delete', async () => {
  const hook = await run<{ id: string; macSecretBase64: string }>('create_webhook', {
    baseId,
    dataTypes: ['tableData'],
    recordChangeScope: tableId,
  });
  await run('create_records', {
    baseId,
    table: 'Tasks',
    records: [{ fields: { Name: 'Watched' } }],
  });
  const page = await run<{ payloads: Json[]; cursor: number; mightHaveMore: boolean }>(
    'list_webhook_payloads',
    { baseId, webhookId: hook.id },
  );
  expect(page).toMatchObject({ cursor: 2, mightHaveMore: false });
  expect(JSON.stringify(page.payloads)).toContain('Watched');
  const refreshed = await run<{ expirationTime: string }>('refresh_webhook', {
    baseId,
    webhookId: hook.id,
  });
  expect(Date.parse(refreshed.expirationTime)).toBeGreaterThan(Date.now());
  const { webhooks } = await run<{ webhooks: { id: string }[] }>('list_webhooks', { baseId });
  expect(webhooks.map((w) => w.id)).toEqual([hook.id]);
  await run('delete_webhook', { baseId, webhookId: hook.id });
  expect((await fakeAdmin().listWebhooks(baseId)).webhooks).toEqual([]);
});

it('resources and prompts over HTTP', async () => {
  const { resources } = await client.listResources();
  expect(resources.map((r) => r.uri)).toContain(`airtable://bases/${baseId}/schema`);
  const { contents } = await client.readResource({ uri: `airtable://bases/${baseId}/schema` });
  const schema = JSON.parse((contents[0] as { text: string }).text) as { tables: { id: string }[] };
  expect(schema.tables.map((t) => t.id)).toContain(tableId);
  const { prompts } = await client.listPrompts();
  expect(prompts.map((p) => p.name)).toEqual([
    'explore_base',
    'clean_up_duplicates',
    'watch_table_changes',
  ]);
  const prompt = await client.getPrompt({ name: 'explore_base', arguments: { baseId } });
  expect(JSON.stringify(prompt.messages)).toContain(baseId);
  expect(client.getServerCapabilities()).toMatchObject({
    tools: { listChanged: false },
    resources: { listChanged: false },
    prompts: { listChanged: false },
  });
});

it('every tool was called at least once over HTTP', () => {
  expect([...used].sort()).toEqual([...TOOL_NAMES].sort());
});
