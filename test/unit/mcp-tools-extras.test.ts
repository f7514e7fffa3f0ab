/**
 * The tools added for attachments, views, bases, comment edits and webhooks, and the base-schema
 * resources and the prompts, through the SDK's Client over InMemoryTransport against
 * createMcpServer backed by its own strict fake Airtable: results checked against each tool's
 * output schema, refused cases answered before any Airtable call, and listChanged false.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { AirtableApi } from '../../cloud/airtable/api-client';
import { AirtableRateLimiter } from '../../cloud/airtable/rate-limiter';
import { safeFileFetcher, type AttachmentSettings } from '../../cloud/mcp/attachment-source';
import { createMcpServer } from '../../cloud/mcp/server';
import type { ToolContext } from '../../cloud/mcp/tool-context';
import { ALL_TOOLS } from '../../cloud/mcp/tools/index';
import { startFakeAirtable, type FakeAirtable } from '../../fake-airtable/server';
import { freePort } from '../../scripts/dev/stack';

type Json = Record<string, unknown>;
const DAY = 24 * 3600 * 1000;
const ALL_SCOPES = [
  'data.records:read',
  'data.records:write',
  'data.recordComments:read',
  'data.recordComments:write',
  'schema.bases:read',
  'schema.bases:write',
  'webhook:manage',
] as const;

let fake: FakeAirtable;
let files: http.Server;
let filesUrl: string;
const fileHits: string[] = [];
let userId: string;
let baseId: string;
let tableId: string;
let filesFieldId: string;
let recordId: string;
let workspaceId: string;
let mcp: Client;
const clients: Client[] = [];
const limiter = new AirtableRateLimiter();

async function connect(
  token: string,
  opts: { userId?: string; attachments?: AttachmentSettings } = {},
): Promise<Client> {
  const uid = opts.userId ?? userId;
  const ctx: ToolContext = {
    airtable: new AirtableApi({
      baseUrl: fake.url,
      tokens: { getAccessToken: async () => token, refreshAfterUnauthorized: async () => null },
      limiter,
      userKey: uid,
      isPat: true,
    }),
    user: {
      userId: uid,
      platform: 'claude',
      kind: 'pat',
      scopes: [],
      sessionExpiresAt: new Date('2030-01-01T00:00:00.000Z'),
    },
    links: { reconnectUrl: 'https://mcp.example/auth/authorize' },
    attachments: opts.attachments ?? {
      contentBaseUrl: fake.contentUrl,
      fetchRemoteFile: safeFileFetcher(true),
    },
  };
  const [a, b] = InMemoryTransport.createLinkedPair();
  await createMcpServer(ctx).connect(b);
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(a);
  await client.listTools();
  clients.push(client);
  return client;
}

async function call(name: string, args: Json, c: Client = mcp): Promise<CallToolResult> {
  return (await c.callTool({ name, arguments: args })) as CallToolResult;
}

async function ok<T = Json>(name: string, args: Json, c: Client = mcp): Promise<T> {
  const res = await call(name, args, c);
  if (res.isError) throw new Error(`${name} failed: ${JSON.stringify(res.content)}`);
  expect(
    ALL_TOOLS.find((t) => t.name === name)!.output.safeParse(res.structuredContent).success,
  ).toBe(true);
  return res.structuredContent as T;
}

async function errText(name: string, args: Json, c: Client = mcp): Promise<string> {
  const res = await call(name, args, c);
  expect(res.isError).toBe(true);
  return res.content.map((p) => (p.type === 'text' ? p.text : '')).join('\n');
}

/** Requests the fake counted for one route family while `fn` ran. */
async function countDuring(family: string, fn: () => Promise<unknown>): Promise<number> {
  const before = fake.admin.stats().apiRequests[family] ?? 0;
  await fn();
  return (fake.admin.stats().apiRequests[family] ?? 0) - before;
}

beforeAll(async () => {
  fake = await startFakeAirtable({ port: await freePort() });
  fake.admin.setConfig({ rateLimitEnabled: false });
  userId = fake.admin.createUser({ email: 'ada@example.com', name: 'Ada' }).id;
  workspaceId = fake.admin.createWorkspace({ name: 'Ada WS', ownerUserIds: [userId] }).id;
  const token = fake.admin.createPat({ userId, scopes: [...ALL_SCOPES], bases: 'all' }).token;
  const base = fake.admin.createBase({
    name: 'Assets',
    ownerUserIds: [userId],
    tables: [
      {
        name: 'Docs',
        fields: [
          { name: 'Name', type: 'singleLineText' },
          { name: 'Files', type: 'multipleAttachments' },
          { name: 'Body', type: 'multilineText' },
        ],
        views: [{ name: 'Grid view' }, { name: 'Board', type: 'kanban' }],
        records: [{ fields: { Name: 'first' } }],
      },
      { name: 'Other', fields: [{ name: 'Title', type: 'singleLineText' }] },
    ],
  });
  baseId = base.id;
  tableId = base.tables[0]!.id;
  filesFieldId = base.tables[0]!.fields[1]!.id;
  recordId = fake.admin.listRecords(baseId, 'Docs').records[0]!.id;
  mcp = await connect(token);

  files = http.createServer((req, res) => {
    fileHits.push(req.url ?? '');
    if (req.url === '/report.pdf') {
      res.writeHead(200, {
        'Content-Type': 'application/pdf',
        'Content-Disposition': 'attachment; filename="Q3 report.pdf"',
      });
      return res.end(Buffer.from('%PDF-1.4 fake'));
    }
    if (req.url === '/huge.bin') {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      return res.end(Buffer.alloc(5 * 1024 * 1024 + 10));
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
  filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const c of clients) await c.close();
  files?.closeAllConnections();
  await new Promise((r) => files?.close(r));
  await fake?.stop();
});

describe('server capabilities', () => {
  it('declares tools, resources and prompts, none with listChanged, no subscriptions', () => {
    expect(mcp.getServerCapabilities()).toMatchObject({
      tools: { listChanged: false },
      resources: { listChanged: false, subscribe: false },
      prompts: { listChanged: false },
    });
  });

  it('annotates the new tools truthfully', async () => {
    const { tools } = await mcp.listTools();
    const hints = (name: string) => {
      const a = tools.find((t) => t.name === name)!.annotations!;
      return [a.readOnlyHint, a.destructiveHint, a.idempotentHint, a.openWorldHint];
    };
    expect(hints('list_views')).toEqual([true, false, true, true]);
    expect(hints('list_webhooks')).toEqual([true, false, true, true]);
    expect(hints('list_webhook_payloads')).toEqual([true, false, true, true]);
    expect(hints('upload_attachment')).toEqual([false, false, false, true]);
    expect(hints('create_base')).toEqual([false, false, false, true]);
    expect(hints('create_webhook')).toEqual([false, false, false, true]);
    expect(hints('refresh_webhook')).toEqual([false, false, true, true]);
    expect(hints('update_comment')).toEqual([false, true, true, true]);
    expect(hints('delete_comment')).toEqual([false, true, true, true]);
    expect(hints('delete_webhook')).toEqual([false, true, true, true]);
  });
});

describe('list_views', () => {
  it("lists one table's views or every table's, with visible field ids on request", async () => {
    const one = await ok<{ views: { name: string; type: string; tableId: string }[] }>(
      'list_views',
      {
        baseId,
        table: 'Docs',
      },
    );
    expect(one.views.map((v) => [v.name, v.type, v.tableId])).toEqual([
      ['Grid view', 'grid', tableId],
      ['Board', 'kanban', tableId],
    ]);
    const all = await ok<{ views: { tableName: string; visibleFieldIds?: string[] }[] }>(
      'list_views',
      { baseId, includeVisibleFieldIds: true },
    );
    expect(all.views.map((v) => v.tableName)).toEqual(['Docs', 'Docs', 'Other']);
    expect(all.views[0]!.visibleFieldIds).toHaveLength(3);
    expect(all.views[1]!.visibleFieldIds).toBeUndefined();
    expect(await errText('list_views', { baseId, table: 'Nope' })).toContain('No table "Nope"');
  });
});

describe('upload_attachment', () => {
  const pngBase64 = Buffer.from('not really a png').toString('base64');

  it('uploads base64 content to the content host and returns the cell', async () => {
    const res = await ok<{
      fieldId: string;
      attachments: { filename: string; url: string; size: number }[];
      added: Json;
    }>('upload_attachment', {
      baseId,
      recordId,
      field: 'Files',
      content: pngBase64,
      filename: 'a.png',
      contentType: 'image/png',
    });
    expect(res.fieldId).toBe(filesFieldId);
    expect(res.added).toEqual({
      filename: 'a.png',
      contentType: 'image/png',
      size: 16,
      via: 'upload',
    });
    const last = res.attachments[res.attachments.length - 1]!;
    expect(await (await fetch(last.url)).text()).toBe('not really a png');
  });

  it('takes a data: URL and its type; line breaks and base64url are fine', async () => {
    const res = await ok<{ added: { contentType: string; size: number } }>('upload_attachment', {
      baseId,
      recordId,
      field: filesFieldId,
      content: `data:text/plain;base64,${Buffer.from('hello there?>')
        .toString('base64url')
        .replace(/(.{4})/g, '$1\n')}`,
      filename: 'b.txt',
    });
    expect(res.added).toMatchObject({ contentType: 'text/plain', size: 13 });
  });

  it('refuses a file over 5 MB before any Airtable call, and says what to do', async () => {
    let text = '';
    const uploads = await countDuring('attachments.upload', async () => {
      text = await errText('upload_attachment', {
        baseId,
        recordId,
        field: 'Files',
        content: Buffer.alloc(5 * 1024 * 1024 + 3).toString('base64'),
        filename: 'big.bin',
      });
    });
    expect(uploads).toBe(0);
    expect(text).toContain('5 MB');
    expect(text).toContain('urlMode "reference"');
  });

  it.each([
    [{ content: 'aGk=' }, /filename is required/],
    [{ content: '%%%', filename: 'x' }, /not valid base64/],
    [{ content: 'aGk=', url: 'https://x.test/a', filename: 'x' }, /exactly one of content/],
    [{ filename: 'x' }, /exactly one of content/],
    [{ content: 'aGk=', filename: 'x', contentType: 'not a type' }, /not a media type/],
    [{ url: 'https://x.test/a', urlMode: 'reference' }, /needs table/],
  ])('refuses bad arguments %#', async (extra, message) => {
    const uploads = await countDuring('attachments.upload', async () => {
      expect(
        await errText('upload_attachment', { baseId, recordId, field: 'Files', ...extra }),
      ).toMatch(message);
    });
    expect(uploads).toBe(0);
  });

  it('a field that is not an attachment field: Airtable says so', async () => {
    const text = await errText('upload_attachment', {
      baseId,
      recordId,
      field: 'Name',
      content: pngBase64,
      filename: 'a.png',
    });
    expect(text).toContain('INVALID_VALUE_FOR_COLUMN');
  });

  it('fetches a URL with the safe fetcher (name and type from the answer) and uploads it', async () => {
    const res = await ok<{ added: Json }>('upload_attachment', {
      baseId,
      recordId,
      field: 'Files',
      url: `${filesUrl}/report.pdf`,
    });
    expect(res.added).toEqual({
      filename: 'Q3 report.pdf',
      contentType: 'application/pdf',
      size: 13,
      via: 'upload',
    });
  });

  it('refuses a fetched file over 5 MB without uploading it', async () => {
    let text = '';
    const uploads = await countDuring('attachments.upload', async () => {
      text = await errText('upload_attachment', {
        baseId,
        recordId,
        field: 'Files',
        url: `${filesUrl}/huge.bin`,
      });
    });
    expect(uploads).toBe(0);
    expect(text).toContain('larger than');
    expect(text).toContain('urlMode "reference"');
  });

  it('in production mode, private and non-https URLs are never fetched', async () => {
    const strict = await connect(
      fake.admin.createPat({ userId, scopes: [...ALL_SCOPES], bases: 'all' }).token,
      {
        attachments: { contentBaseUrl: fake.contentUrl, fetchRemoteFile: safeFileFetcher(false) },
      },
    );
    const before = fileHits.length;
    const port = new URL(filesUrl).port;
    for (const [url, message] of [
      [`${filesUrl}/report.pdf`, /https/],
      [`https://127.0.0.1:${port}/report.pdf`, /non-public/],
      [`https://localhost:${port}/report.pdf`, /non-public/],
      ['https://169.254.169.254/latest/meta-data/', /non-public/],
    ] as const)
      expect(
        await errText('upload_attachment', { baseId, recordId, field: 'Files', url }, strict),
      ).toMatch(message);
    expect(fileHits.length).toBe(before);
  });

  it('urlMode reference keeps the attachments already there and adds the URL', async () => {
    const before = fake.admin.listRecords(baseId, 'Docs').records[0]!.fields.Files as unknown[];
    const res = await ok<{
      attachments: { url: string; filename: string }[];
      added: Json;
      notice: string;
    }>('upload_attachment', {
      baseId,
      table: 'Docs',
      recordId,
      field: filesFieldId,
      url: 'https://cdn.example.com/big/video.mp4',
      urlMode: 'reference',
    });
    expect(res.attachments).toHaveLength(before.length + 1);
    expect(res.attachments[res.attachments.length - 1]).toMatchObject({
      url: 'https://cdn.example.com/big/video.mp4',
      filename: 'video.mp4',
    });
    expect(res.added).toEqual({ filename: 'video.mp4', via: 'reference' });
    expect(res.notice).toMatch(/background/);
  });
});

describe('create_base', () => {
  it('creates a base in a workspace; a bad workspace id is refused before any call', async () => {
    const made = await ok<{ id: string; tables: { name: string; views: { type: string }[] }[] }>(
      'create_base',
      {
        name: 'Made by a tool',
        workspaceId,
        tables: [{ name: 'Items', fields: [{ name: 'Name', type: 'singleLineText' }] }],
      },
    );
    expect(made.id).toMatch(/^app/);
    expect(made.tables[0]!.views[0]!.type).toBe('grid');
    const bases = await ok<{ bases: { id: string }[] }>('list_bases', {});
    expect(bases.bases.map((b) => b.id)).toContain(made.id);
    expect(
      await errText('create_base', {
        name: 'x',
        workspaceId: 'Ada WS',
        tables: [{ name: 'T', fields: [{ name: 'N', type: 'singleLineText' }] }],
      }),
    ).toMatch(/workspace id is "wsp"/);
    expect(
      await errText('create_base', {
        name: 'x',
        workspaceId: 'wspAAAAAAAAAAAAAA',
        tables: [{ name: 'T', fields: [{ name: 'N', type: 'singleLineText' }] }],
      }),
    ).toContain('403');
  });
});

describe('update_comment and delete_comment', () => {
  it("edit and delete one's own comment; another author's is explained", async () => {
    const made = await ok<{ id: string }>('create_comment', {
      baseId,
      table: 'Docs',
      recordId,
      text: 'v1',
    });
    const edited = await ok<{ text: string; lastUpdatedTime?: string }>('update_comment', {
      baseId,
      table: 'Docs',
      recordId,
      commentId: made.id,
      text: 'v2',
    });
    expect(edited.text).toBe('v2');
    expect(edited.lastUpdatedTime).toBeDefined();

    const bob = fake.admin.createUser({ name: 'Bob' }).id;
    fake.admin.setCollaborator(baseId, { userId: bob, permissionLevel: 'create' });
    const bobClient = await connect(
      fake.admin.createPat({ userId: bob, scopes: [...ALL_SCOPES], bases: 'all' }).token,
      {
        userId: bob,
      },
    );
    const refused = await errText(
      'update_comment',
      { baseId, table: 'Docs', recordId, commentId: made.id, text: 'hijack' },
      bobClient,
    );
    expect(refused).toContain('only its author');
    expect(refused).toContain(bob);
    expect(
      await errText(
        'delete_comment',
        { baseId, table: 'Docs', recordId, commentId: made.id },
        bobClient,
      ),
    ).toContain('only its author');
    expect(
      await ok('delete_comment', { baseId, table: 'Docs', recordId, commentId: made.id }),
    ).toEqual({
      id: made.id,
      deleted: true,
    });
    expect(
      await errText('delete_comment', { baseId, table: 'Docs', recordId, commentId: 'nope' }),
    ).toMatch(/comment id/);
  });
});

describe('webhooks', () => {
  it('create, record changes, payloads with cursors, refresh, delete', async () => {
    const made = await ok<{ id: string; macSecretBase64: string; nextStep: string }>(
      'create_webhook',
      {
        baseId,
        dataTypes: ['tableData'],
        recordChangeScope: tableId,
        changeTypes: ['add', 'update'],
      },
    );
    expect(made.macSecretBase64.length).toBeGreaterThan(20);
    expect(made.nextStep).toContain('list_webhook_payloads');
    const listed = await ok<{
      webhooks: { id: string; isHookEnabled: boolean; specification: Json }[];
    }>('list_webhooks', { baseId });
    expect(listed.webhooks.find((w) => w.id === made.id)).toMatchObject({
      isHookEnabled: true,
      specification: {
        options: {
          filters: {
            dataTypes: ['tableData'],
            recordChangeScope: tableId,
            changeTypes: ['add', 'update'],
          },
        },
      },
    });

    await ok('create_records', { baseId, table: 'Docs', records: [{ fields: { Name: 'w1' } }] });
    await ok('create_records', { baseId, table: 'Docs', records: [{ fields: { Name: 'w2' } }] });
    await ok('create_records', {
      baseId,
      table: 'Other',
      records: [{ fields: { Title: 'not watched' } }],
    });
    const first = await ok<{ payloads: Json[]; cursor: number; mightHaveMore: boolean }>(
      'list_webhook_payloads',
      {
        baseId,
        webhookId: made.id,
        limit: 1,
      },
    );
    expect(first).toMatchObject({ cursor: 2, mightHaveMore: true });
    const rest = await ok<{ payloads: Json[]; cursor: number; mightHaveMore: boolean }>(
      'list_webhook_payloads',
      {
        baseId,
        webhookId: made.id,
        cursor: first.cursor,
      },
    );
    expect(rest).toMatchObject({ cursor: 3, mightHaveMore: false });
    expect(rest.payloads).toHaveLength(1);

    const refreshed = await ok<{ expirationTime: string }>('refresh_webhook', {
      baseId,
      webhookId: made.id,
    });
    expect(Date.parse(refreshed.expirationTime)).toBeGreaterThan(Date.now() + 6 * DAY);
    expect(await ok('delete_webhook', { baseId, webhookId: made.id })).toEqual({
      webhookId: made.id,
      deleted: true,
    });
    expect(await errText('list_webhook_payloads', { baseId, webhookId: made.id })).toContain('404');
  });

  it('refuses names where Airtable wants ids, and bad cursors, before any call', async () => {
    const calls = await countDuring('webhooks', async () => {
      expect(
        await errText('create_webhook', {
          baseId,
          dataTypes: ['tableData'],
          recordChangeScope: 'Docs',
        }),
      ).toMatch(/must be an id/);
      expect(await errText('create_webhook', { baseId, dataTypes: [] })).toMatch(/dataTypes/);
      expect(
        await errText('create_webhook', {
          baseId,
          dataTypes: ['tableData'],
          notificationUrl: 'http://x.test/hook',
        }),
      ).toMatch(/https/);
    });
    expect(calls).toBe(0);
    expect(
      await errText('list_webhook_payloads', { baseId, webhookId: 'achAAAAAAAAAAAAAA', cursor: 0 }),
    ).toMatch(/cursor/);
  });

  it('cuts payloads over the size budget and continues exactly', async () => {
    const hook = await ok<{ id: string }>('create_webhook', {
      baseId,
      dataTypes: ['tableData'],
      recordChangeScope: tableId,
    });
    const long = 'x'.repeat(9000);
    for (let i = 0; i < 3; i++)
      await ok('create_records', {
        baseId,
        table: 'Docs',
        records: Array.from({ length: 5 }, (_, j) => ({
          fields: { Name: `p${i}-${j}`, Body: long },
        })),
      });
    const cut = await call('list_webhook_payloads', { baseId, webhookId: hook.id });
    const data = cut.structuredContent as {
      payloads: Json[];
      cursor: number;
      mightHaveMore: boolean;
      notice: string;
    };
    expect(JSON.stringify(data).length).toBeLessThanOrEqual(100_000);
    expect(data.payloads).toHaveLength(2);
    expect(data).toMatchObject({ cursor: 3, mightHaveMore: true });
    expect(data.notice).toContain('cursor 3');
    const next = await ok<{ payloads: Json[]; cursor: number }>('list_webhook_payloads', {
      baseId,
      webhookId: hook.id,
      cursor: data.cursor,
    });
    expect(next).toMatchObject({ cursor: 4 });
    expect(next.payloads).toHaveLength(1);
    await ok('delete_webhook', { baseId, webhookId: hook.id });
  });

  it('an expired webhook cannot be refreshed: the error says to create a new one', async () => {
    const hook = await ok<{ id: string }>('create_webhook', {
      baseId,
      dataTypes: ['tableMetadata'],
    });
    fake.admin.advanceClock(8 * DAY);
    const listed = await ok<{ webhooks: { id: string; isHookEnabled: boolean }[] }>(
      'list_webhooks',
      { baseId },
    );
    expect(listed.webhooks.find((w) => w.id === hook.id)!.isHookEnabled).toBe(false);
    const text = await errText('refresh_webhook', { baseId, webhookId: hook.id });
    expect(text).toContain('CANNOT_REFRESH_DISABLED_WEBHOOK');
    expect(text).toContain('Create a new webhook');
    await ok('delete_webhook', { baseId, webhookId: hook.id });
  });

  it('without webhook:manage, the error names the scope', async () => {
    const noHooks = await connect(
      fake.admin.createPat({
        userId,
        scopes: ['data.records:read', 'schema.bases:read'],
        bases: 'all',
      }).token,
    );
    expect(await errText('list_webhooks', { baseId }, noHooks)).toContain('webhook:manage');
  });
});

describe('resources', () => {
  it('lists one schema resource per base, with the template', async () => {
    const { resources } = await mcp.listResources();
    const mine = resources.find((r) => r.uri === `airtable://bases/${baseId}/schema`);
    expect(mine).toMatchObject({ name: 'Assets schema', mimeType: 'application/json' });
    expect(mine!.description).toContain(baseId);
    const { resourceTemplates } = await mcp.listResourceTemplates();
    expect(resourceTemplates).toEqual([
      expect.objectContaining({
        uriTemplate: 'airtable://bases/{baseId}/schema',
        name: 'base-schema',
      }),
    ]);
  });

  it('reads a base schema as JSON', async () => {
    const uri = `airtable://bases/${baseId}/schema`;
    const { contents } = await mcp.readResource({ uri });
    expect(contents).toHaveLength(1);
    expect(contents[0]).toMatchObject({ uri, mimeType: 'application/json' });
    const schema = JSON.parse((contents[0] as { text: string }).text) as {
      baseId: string;
      tables: {
        id: string;
        name: string;
        fields: { name: string; type: string }[];
        views: unknown[];
      }[];
    };
    expect(schema.baseId).toBe(baseId);
    expect(schema.tables.map((t) => t.name)).toEqual(['Docs', 'Other']);
    expect(schema.tables[0]!.fields.map((f) => f.type)).toEqual([
      'singleLineText',
      'multipleAttachments',
      'multilineText',
    ]);
  });

  it.each([
    ['airtable://bases/appAAAAAAAAAAAAAA/schema', -32002, /not be shared|does not exist/],
    ['airtable://bases/not-a-base/schema', -32602, /not found.*app\.\.\./],
    ['not a uri', -32602, /not found/],
    ['airtable://elsewhere/x', -32602, /not found/],
  ])('%s is a JSON-RPC error %d', async (uri, code, message) => {
    const err = await mcp.readResource({ uri }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(McpError);
    expect((err as McpError).code).toBe(code);
    expect((err as McpError).message).toMatch(message);
  });
});

describe('prompts', () => {
  it('lists the prompts with described arguments', async () => {
    const { prompts } = await mcp.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual([
      'explore_base',
      'clean_up_duplicates',
      'watch_table_changes',
    ]);
    for (const p of prompts) {
      expect(p.description!.length).toBeGreaterThan(40);
      for (const a of p.arguments ?? []) expect(a.description).toBeTruthy();
    }
    expect(prompts[1]!.arguments).toEqual([
      expect.objectContaining({ name: 'baseId', required: true }),
      expect.objectContaining({ name: 'table', required: true }),
      expect.objectContaining({ name: 'matchFields', required: false }),
    ]);
  });

  it('fills the arguments into a message that names the tools', async () => {
    const explore = await mcp.getPrompt({
      name: 'explore_base',
      arguments: { baseId, focus: 'files' },
    });
    const text = (explore.messages[0]!.content as { text: string }).text;
    expect(explore.messages[0]!.role).toBe('user');
    expect(text).toContain(`airtable://bases/${baseId}/schema`);
    expect(text).toContain('describe_table');
    expect(text).toContain('Pay special attention to: files');
    const dupes = await mcp.getPrompt({
      name: 'clean_up_duplicates',
      arguments: { baseId, table: 'Docs' },
    });
    expect((dupes.messages[0]!.content as { text: string }).text).toMatch(/wait for my approval/i);
    const watch = await mcp.getPrompt({
      name: 'watch_table_changes',
      arguments: { baseId, table: 'Docs', cursor: '7' },
    });
    expect((watch.messages[0]!.content as { text: string }).text).toContain('from cursor 7');
  });

  it('bad or missing arguments are a -32602 error naming them', async () => {
    for (const [name, args] of [
      ['explore_base', { baseId: 'nope' }],
      ['clean_up_duplicates', { baseId }],
      ['watch_table_changes', { baseId, table: 'Docs', cursor: '-1' }],
    ] as const) {
      const err = await mcp.getPrompt({ name, arguments: args }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(McpError);
      expect((err as McpError).code).toBe(-32602);
    }
    const unknown = await mcp.getPrompt({ name: 'nope' }).catch((e: unknown) => e);
    expect((unknown as McpError).code).toBe(-32602);
  });
});
