/**
 * The fake Airtable's attachments, webhooks, base creation and comment edits follow Airtable's
 * documented rules (airtable.com/developers/web/api: upload-attachment, webhooks-overview,
 * create-a-webhook, list-webhook-payloads, refresh-a-webhook, create-base, update-comment):
 * 5 MB uploads on the content host only, webhook scopes and creator permission, 10 webhooks per
 * base and 2 per OAuth integration (which sees only its own), 7-day expiry extended by refresh and
 * by listing payloads, payload cursors, workspace permissions, and author-only comment edits.
 */
import { startFakeAirtable, type FakeAirtable } from '../../fake-airtable/server';
import type { BaseSummary } from '../../fake-airtable/admin/fake-admin';
import { authorizeQuery, basicAuth, pkcePair, postToken } from '../../fake-airtable/oauth-test-kit';
import { freePort } from '../../scripts/dev/stack';

const DAY = 24 * 3600 * 1000;
const REDIRECT = 'http://localhost:9999/cb';
const ALL = [
  'data.records:read',
  'data.records:write',
  'data.recordComments:read',
  'data.recordComments:write',
  'schema.bases:read',
  'schema.bases:write',
  'webhook:manage',
] as const;

let fake: FakeAirtable;
let owner: string;
let token: string;
let base: BaseSummary;

beforeAll(async () => {
  fake = await startFakeAirtable({ port: await freePort() });
});
afterAll(() => fake.stop());

beforeEach(() => {
  fake.admin.reset();
  fake.admin.setConfig({ rateLimitEnabled: false });
  owner = fake.admin.createUser({ email: 'owner@example.com', name: 'Owner' }).id;
  token = fake.admin.createPat({ userId: owner, scopes: [...ALL], bases: 'all' }).token;
  base = fake.admin.createBase({
    name: 'B',
    ownerUserIds: [owner],
    tables: [
      {
        name: 'Docs',
        fields: [
          { name: 'Name', type: 'singleLineText' },
          { name: 'Files', type: 'multipleAttachments' },
          { name: 'Count', type: 'number' },
        ],
        records: [{ fields: { Name: 'first' } }],
      },
      { name: 'Other', fields: [{ name: 'Title', type: 'singleLineText' }] },
    ],
  });
});

async function call(
  method: string,
  url: string,
  opts: { body?: unknown; token?: string } = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method,
    headers: {
      Authorization: `Bearer ${opts.token ?? token}`,
      ...(opts.body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
const api = (method: string, path: string, opts?: { body?: unknown; token?: string }) =>
  call(method, `${fake.url}/v0/${path}`, opts);
const errorType = (r: { json: Record<string, unknown> }) =>
  (r.json.error as { type?: string } | undefined)?.type ?? r.json.error;

const docs = () => base.tables[0]!;
const recordId = () => fake.admin.listRecords(base.id, 'Docs').records[0]!.id;
const filesField = () => docs().fields.find((f) => f.name === 'Files')!.id;

async function oauthToken(userId: string, scope: string): Promise<string> {
  fake.admin.registerRedirectUri({ uri: REDIRECT });
  const { verifier, challenge } = pkcePair();
  const q = authorizeQuery({ clientId: fake.clientId, redirectUri: REDIRECT, scope, challenge });
  const res = fake.admin.authorize({ query: q.toString(), user_id: userId });
  if (!res.ok || !res.code) throw new Error(`authorize failed: ${JSON.stringify(res)}`);
  const t = await postToken(
    fake.url,
    {
      grant_type: 'authorization_code',
      code: res.code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    },
    basicAuth(fake.clientId, fake.clientSecret),
  );
  return t.json.access_token as string;
}

describe('upload-attachment (content host)', () => {
  const upload = (field: string, body: unknown, t?: string, rec = recordId()) =>
    call(
      'POST',
      `${fake.contentUrl}/v0/${base.id}/${rec}/${encodeURIComponent(field)}/uploadAttachment`,
      {
        body,
        ...(t ? { token: t } : {}),
      },
    );
  const file = (bytes: Buffer, filename = 'a.txt') => ({
    contentType: 'text/plain',
    file: bytes.toString('base64'),
    filename,
  });

  test('appends the file, answers the cell keyed by field id, and serves the bytes back', async () => {
    const first = await upload('Files', file(Buffer.from('hello')));
    expect(first.status).toBe(200);
    const second = await upload(filesField(), file(Buffer.from('world'), 'b.txt'));
    const cell = (
      second.json.fields as Record<string, { filename: string; url: string; size: number }[]>
    )[filesField()]!;
    expect(cell.map((a) => [a.filename, a.size])).toEqual([
      ['a.txt', 5],
      ['b.txt', 5],
    ]);
    expect(await (await fetch(cell[1]!.url)).text()).toBe('world');
  });

  test('only on the content host', async () => {
    const res = await api('POST', `${base.id}/${recordId()}/Files/uploadAttachment`, {
      body: file(Buffer.from('x')),
    });
    expect(res.status).toBe(404);
  });

  test('refuses more than 5 MB, bad base64, other field types, unknown records, no scope', async () => {
    const big = await upload('Files', file(Buffer.alloc(5 * 1024 * 1024 + 1)));
    expect([big.status, errorType(big)]).toEqual([413, 'ATTACHMENT_TOO_LARGE']);
    const atLimit = await upload('Files', file(Buffer.alloc(5 * 1024 * 1024)));
    expect(atLimit.status).toBe(200);
    const bad = await upload('Files', {
      contentType: 'text/plain',
      file: 'not base64!',
      filename: 'a',
    });
    expect([bad.status, errorType(bad)]).toEqual([422, 'INVALID_REQUEST_UNKNOWN']);
    const text = await upload('Name', file(Buffer.from('x')));
    expect([text.status, errorType(text)]).toEqual([422, 'INVALID_VALUE_FOR_COLUMN']);
    const missing = await upload('Files', file(Buffer.from('x')), undefined, 'recAAAAAAAAAAAAAA');
    expect(missing.status).toBe(404);
    const ro = fake.admin.createPat({ userId: owner, scopes: ['data.records:read'], bases: 'all' });
    expect((await upload('Files', file(Buffer.from('x')), ro.token)).status).toBe(403);
    const extra = await upload('Files', { ...file(Buffer.from('x')), extra: 1 });
    expect(extra.status).toBe(422);
  });
});

describe('webhooks', () => {
  const spec = (filters: Record<string, unknown> = {}) => ({
    specification: { options: { filters: { dataTypes: ['tableData'], ...filters } } },
  });
  const create = (body: unknown = spec(), t?: string) =>
    api('POST', `bases/${base.id}/webhooks`, { body, ...(t ? { token: t } : {}) });
  const payloads = (id: string, q = '', t?: string) =>
    api('GET', `bases/${base.id}/webhooks/${id}/payloads${q}`, t ? { token: t } : {});

  test("scopes: webhook:manage always, plus the data types' read scopes", async () => {
    const noManage = fake.admin.createPat({
      userId: owner,
      scopes: ['data.records:read', 'schema.bases:read'],
      bases: 'all',
    }).token;
    expect(errorType(await create(spec(), noManage))).toBe(
      'INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND',
    );
    expect((await api('GET', `bases/${base.id}/webhooks`, { token: noManage })).status).toBe(403);
    const noData = fake.admin.createPat({
      userId: owner,
      scopes: ['webhook:manage'],
      bases: 'all',
    }).token;
    expect((await create(spec(), noData)).status).toBe(403);
    const made = await create();
    expect(made.status).toBe(200);
    expect(made.json).toMatchObject({
      id: expect.stringMatching(/^ach/),
      macSecretBase64: expect.any(String),
    });
  });

  test('creating needs creator permission; the specification must use ids', async () => {
    const editor = fake.admin.createUser().id;
    fake.admin.setCollaborator(base.id, { userId: editor, permissionLevel: 'edit' });
    const editorToken = fake.admin.createPat({
      userId: editor,
      scopes: [...ALL],
      bases: 'all',
    }).token;
    expect(errorType(await create(spec(), editorToken))).toBe('INVALID_PERMISSIONS');
    expect((await api('GET', `bases/${base.id}/webhooks`, { token: editorToken })).status).toBe(
      200,
    );
    expect((await create(spec({ recordChangeScope: 'Docs' }))).status).toBe(422);
    expect((await create(spec({ watchDataInFieldIds: ['Name'] }))).status).toBe(422);
    expect(
      (await create({ specification: { options: { filters: { dataTypes: [] } } } })).status,
    ).toBe(422);
    expect((await create({ ...spec(), notificationUrl: 'ftp://x' })).status).toBe(422);
    expect((await create(spec({ recordChangeScope: docs().id }))).status).toBe(200);
  });

  test('at most 10 per base', async () => {
    for (let i = 0; i < 10; i++) expect((await create()).status).toBe(200);
    const eleventh = await create();
    expect([eleventh.status, errorType(eleventh)]).toEqual([422, 'TOO_MANY_WEBHOOKS']);
  });

  test('an OAuth integration: 2 per base, and it sees and manages only its own', async () => {
    const patHook = (await create()).json.id as string;
    const oauth = await oauthToken(owner, 'webhook:manage data.records:read');
    expect((await create(spec(), oauth)).status).toBe(200);
    expect((await create(spec(), oauth)).status).toBe(200);
    expect(errorType(await create(spec(), oauth))).toBe('TOO_MANY_WEBHOOKS');
    const listed = await api('GET', `bases/${base.id}/webhooks`, { token: oauth });
    expect((listed.json.webhooks as unknown[]).length).toBe(2);
    expect((await payloads(patHook, '', oauth)).status).toBe(404);
    expect(
      (await api('DELETE', `bases/${base.id}/webhooks/${patHook}`, { token: oauth })).status,
    ).toBe(404);
    const all = await api('GET', `bases/${base.id}/webhooks`);
    expect((all.json.webhooks as unknown[]).length).toBe(3);
  });

  test('record changes become payloads read with cursors, 50 at most per call', async () => {
    const id = (await create(spec({ recordChangeScope: docs().id }))).json.id as string;
    const made = await api('POST', `${base.id}/Docs`, {
      body: { records: [{ fields: { Name: 'n1' } }] },
    });
    const newId = (made.json.records as { id: string }[])[0]!.id;
    await api('PATCH', `${base.id}/Docs`, {
      body: { records: [{ id: newId, fields: { Count: 2 } }] },
    });
    await api('DELETE', `${base.id}/Docs?records[]=${newId}`);
    await api('POST', `${base.id}/Other`, { body: { fields: { Title: 'elsewhere' } } });

    const page = await payloads(id, '?limit=2');
    expect(page.status).toBe(200);
    expect(page.json).toMatchObject({ cursor: 3, mightHaveMore: true });
    const [p1, p2] = page.json.payloads as {
      changedTablesById: Record<string, Record<string, unknown>>;
    }[];
    expect(Object.keys(p1!.changedTablesById)).toEqual([docs().id]);
    expect(Object.keys(p1!.changedTablesById[docs().id]!.createdRecordsById as object)).toEqual([
      newId,
    ]);
    expect(p2!.changedTablesById[docs().id]!.changedRecordsById).toMatchObject({
      [newId]: { current: { cellValuesByFieldId: { [docs().fields[2]!.id]: 2 } } },
    });
    const rest = await payloads(id, '?cursor=3');
    expect(rest.json).toMatchObject({ cursor: 4, mightHaveMore: false });
    expect(
      (rest.json.payloads as { changedTablesById: Record<string, unknown> }[])[0]!
        .changedTablesById,
    ).toEqual({
      [docs().id]: { destroyedRecordIds: [newId] },
    });
    const none = await payloads(id, '?cursor=4');
    expect(none.json).toEqual({ payloads: [], cursor: 4, mightHaveMore: false });
    expect((await payloads(id, '?limit=51')).status).toBe(422);
    expect((await payloads(id, '?cursor=0')).status).toBe(422);
    expect((await payloads(id, '?cursor=abc')).status).toBe(422);
  });

  test('changeTypes and watched fields narrow the payloads', async () => {
    const onlyAdds = (await create(spec({ changeTypes: ['add'] }))).json.id as string;
    const countOnly = (await create(spec({ watchDataInFieldIds: [docs().fields[2]!.id] }))).json
      .id as string;
    await api('PATCH', `${base.id}/Docs`, {
      body: { records: [{ id: recordId(), fields: { Name: 'x' } }] },
    });
    expect((await payloads(onlyAdds)).json.payloads).toEqual([]);
    expect((await payloads(countOnly)).json.payloads).toEqual([]);
    await api('PATCH', `${base.id}/Docs`, {
      body: { records: [{ id: recordId(), fields: { Count: 1 } }] },
    });
    expect((await payloads(countOnly)).json.payloads).toHaveLength(1);
  });

  test('expire 7 days after creation unless refreshed or polled; readable 7 more days', async () => {
    const id = (await create()).json.id as string;
    fake.admin.advanceClock(6 * DAY);
    const refreshed = await api('POST', `bases/${base.id}/webhooks/${id}/refresh`);
    expect(refreshed.status).toBe(200);
    expect(Date.parse(refreshed.json.expirationTime as string)).toBeGreaterThan(
      Date.parse(fake.admin.now().now) + 6 * DAY,
    );
    fake.admin.advanceClock(6 * DAY);
    expect((await payloads(id)).status).toBe(200); // polling extends it too
    fake.admin.advanceClock(6 * DAY);
    const list = await api('GET', `bases/${base.id}/webhooks`);
    expect((list.json.webhooks as { isHookEnabled: boolean }[])[0]!.isHookEnabled).toBe(true);

    fake.admin.advanceClock(2 * DAY);
    const expired = await api('GET', `bases/${base.id}/webhooks`);
    expect((expired.json.webhooks as { isHookEnabled: boolean }[])[0]!.isHookEnabled).toBe(false);
    const late = await api('POST', `bases/${base.id}/webhooks/${id}/refresh`);
    expect([late.status, errorType(late)]).toEqual([422, 'CANNOT_REFRESH_DISABLED_WEBHOOK']);
    await api('POST', `${base.id}/Docs`, { body: { fields: { Name: 'after expiry' } } });
    expect((await payloads(id)).json.payloads).toEqual([]);
    fake.admin.advanceClock(8 * DAY);
    expect((await payloads(id)).status).toBe(404);
  });

  test('payloads are kept 7 days; delete removes the webhook', async () => {
    const id = (await create()).json.id as string;
    await api('POST', `${base.id}/Docs`, { body: { fields: { Name: 'old' } } });
    fake.admin.advanceClock(5 * DAY);
    await api('POST', `bases/${base.id}/webhooks/${id}/refresh`);
    fake.admin.advanceClock(3 * DAY);
    await api('POST', `${base.id}/Docs`, { body: { fields: { Name: 'new' } } });
    const res = await payloads(id);
    expect(res.json).toMatchObject({ cursor: 3 });
    expect((res.json.payloads as unknown[]).length).toBe(1);
    expect((await api('DELETE', `bases/${base.id}/webhooks/${id}`)).json).toEqual({});
    expect((await payloads(id)).status).toBe(404);
  });

  test('field and table changes reach tableFields and tableMetadata webhooks', async () => {
    const id = (
      await create({
        specification: { options: { filters: { dataTypes: ['tableFields', 'tableMetadata'] } } },
      })
    ).json.id as string;
    await api('POST', `meta/bases/${base.id}/tables/${docs().id}/fields`, {
      body: { name: 'Extra', type: 'singleLineText' },
    });
    await api('PATCH', `meta/bases/${base.id}/tables/${docs().id}`, {
      body: { name: 'Documents' },
    });
    const res = await payloads(id);
    const changes = (
      res.json.payloads as { changedTablesById: Record<string, Record<string, unknown>> }[]
    ).map((p) => Object.keys(p.changedTablesById[docs().id]!));
    expect(changes).toEqual([['createdFieldsById'], ['changedMetadata']]);
  });
});

describe('create-base', () => {
  const body = (workspaceId: string, tables?: unknown) => ({
    name: 'Fresh',
    workspaceId,
    tables: tables ?? [{ name: 'T', fields: [{ name: 'Name', type: 'singleLineText' }] }],
  });

  test('a workspace creator makes a base; it is listed and reachable', async () => {
    const ws = fake.admin.createWorkspace({ name: 'W', ownerUserIds: [owner] });
    const res = await api('POST', 'meta/bases', { body: body(ws.id) });
    expect(res.status).toBe(200);
    const id = res.json.id as string;
    expect((res.json.tables as { views: { name: string }[] }[])[0]!.views[0]!.name).toBe(
      'Grid view',
    );
    const bases = await api('GET', 'meta/bases');
    expect(
      (bases.json.bases as { id: string; permissionLevel: string }[]).find((b) => b.id === id),
    ).toMatchObject({
      permissionLevel: 'create',
    });
    expect((await api('GET', `${id}/T`)).status).toBe(200);
  });

  test('workspace permission and token reach are enforced', async () => {
    const ws = fake.admin.createWorkspace({ name: 'W', ownerUserIds: [owner] });
    const editor = fake.admin.createUser().id;
    const viaEditor = fake.admin.createWorkspace({
      name: 'Shared',
      ownerUserIds: [owner],
      collaborators: [{ userId: editor, permissionLevel: 'edit' }],
    });
    const editorToken = fake.admin.createPat({
      userId: editor,
      scopes: [...ALL],
      bases: 'all',
    }).token;
    expect(
      errorType(await api('POST', 'meta/bases', { body: body(viaEditor.id), token: editorToken })),
    ).toBe('INVALID_PERMISSIONS');
    expect(errorType(await api('POST', 'meta/bases', { body: body('wspAAAAAAAAAAAAAA') }))).toBe(
      'INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND',
    );
    const baseOnly = fake.admin.createPat({
      userId: owner,
      scopes: [...ALL],
      bases: [base.id],
    }).token;
    expect((await api('POST', 'meta/bases', { body: body(ws.id), token: baseOnly })).status).toBe(
      403,
    );
    const wsToken = fake.admin.createPat({ userId: owner, scopes: [...ALL], bases: [ws.id] }).token;
    const made = await api('POST', 'meta/bases', { body: body(ws.id), token: wsToken });
    expect(made.status).toBe(200);
    expect((await api('GET', `${made.json.id as string}/T`, { token: wsToken })).status).toBe(200);
    const noWrite = fake.admin.createPat({
      userId: owner,
      scopes: ['schema.bases:read'],
      bases: 'all',
    }).token;
    expect((await api('POST', 'meta/bases', { body: body(ws.id), token: noWrite })).status).toBe(
      403,
    );
  });

  test('tables are validated like create-table', async () => {
    const ws = fake.admin.createWorkspace({ name: 'W', ownerUserIds: [owner] });
    expect((await api('POST', 'meta/bases', { body: body(ws.id, []) })).status).toBe(422);
    const badPrimary = await api('POST', 'meta/bases', {
      body: body(ws.id, [
        {
          name: 'T',
          fields: [
            { name: 'Done', type: 'checkbox', options: { icon: 'check', color: 'greenBright' } },
          ],
        },
      ]),
    });
    expect([badPrimary.status, errorType(badPrimary)]).toEqual([422, 'INVALID_PRIMARY_FIELD_TYPE']);
    expect(
      (await api('POST', 'meta/bases', { body: { ...body(ws.id), extra: true } })).status,
    ).toBe(422);
  });
});

describe('comment edits', () => {
  test('only the author may update or delete a comment', async () => {
    const path = `${base.id}/Docs/${recordId()}/comments`;
    const made = await api('POST', path, { body: { text: 'mine' } });
    const commentId = made.json.id as string;
    const other = fake.admin.createUser().id;
    fake.admin.setCollaborator(base.id, { userId: other, permissionLevel: 'create' });
    const otherToken = fake.admin.createPat({
      userId: other,
      scopes: [...ALL],
      bases: 'all',
    }).token;
    const refused = await api('PATCH', `${path}/${commentId}`, {
      body: { text: 'theirs' },
      token: otherToken,
    });
    expect([refused.status, errorType(refused)]).toEqual([403, 'INVALID_PERMISSIONS']);
    expect((await api('DELETE', `${path}/${commentId}`, { token: otherToken })).status).toBe(403);
    const updated = await api('PATCH', `${path}/${commentId}`, { body: { text: 'edited' } });
    expect(updated.json).toMatchObject({ text: 'edited', lastUpdatedTime: expect.any(String) });
    expect((await api('DELETE', `${path}/${commentId}`)).json).toEqual({
      id: commentId,
      deleted: true,
    });
    expect((await api('DELETE', `${path}/${commentId}`)).status).toBe(404);
  });
});
