/**
 * The AirtableApi endpoints added for attachments, webhooks, comment edits and base creation,
 * against an injected fetch: exact URLs (upload on the content host), methods, bodies, the scope
 * named in 403 hints, retries only for the calls that are safe to repeat, answers parsed with
 * schemas, and no token in errors.
 */
import { AirtableApi } from '../../cloud/airtable/api-client';
import { AirtableApiError } from '../../cloud/airtable/api-errors';
import { AirtableRateLimiter } from '../../cloud/airtable/rate-limiter';
import { fetchStub, type StubReply } from '../helpers/fetch-stub';

const TOKEN = 'patAAAAAAAAAAAAAA.SECRET0123456789abcdef';
const BASE = 'appAAAAAAAAAAAAAA';
const HOST = 'https://api.test';
const CONTENT = 'https://content.test/';
const HOOK = 'achAAAAAAAAAAAAAA';

function makeApi(replies: StubReply[]) {
  const stub = fetchStub(replies);
  const api = new AirtableApi({
    baseUrl: HOST,
    fetch: stub.fn,
    tokens: { getAccessToken: async () => TOKEN, refreshAfterUnauthorized: async () => null },
    limiter: new AirtableRateLimiter(),
    userKey: 'usrAAAAAAAAAAAAAA',
    isPat: true,
    retryBaseDelayMs: 1,
  });
  return { api, calls: stub.calls };
}

async function caught(p: Promise<unknown>): Promise<AirtableApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AirtableApiError) return err;
    throw err;
  }
  throw new Error('expected an AirtableApiError');
}

const record = { id: 'recAAAAAAAAAAAAAA', createdTime: '2024-01-01T00:00:00.000Z' };
const hook = {
  id: HOOK,
  areNotificationsEnabled: false,
  cursorForNextPayload: 3,
  isHookEnabled: true,
  lastNotificationResult: null,
  lastSuccessfulNotificationTime: null,
  notificationUrl: null,
  expirationTime: '2030-01-08T00:00:00.000Z',
  specification: { options: { filters: { dataTypes: ['tableData'] } } },
};
const e503 = { status: 503, json: { error: { type: 'SERVER_ERROR', message: 'down' } } };

describe('upload-attachment', () => {
  it('goes to the content host with the file as base64, token in the header only', async () => {
    const { api, calls } = makeApi([
      {
        json: {
          ...record,
          fields: { fldAAAAAAAAAAAAAA: [{ id: 'attA', url: 'u', filename: 'a.txt' }] },
        },
      },
    ]);
    const rec = await api.attachments.upload(
      { contentBaseUrl: CONTENT, baseId: BASE, recordId: record.id, field: 'Photos / 2024' },
      { contentType: 'text/plain', base64: 'aGk=', filename: 'a.txt' },
    );
    expect(rec.fields.fldAAAAAAAAAAAAAA).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      url: `https://content.test/v0/${BASE}/${record.id}/Photos%20%2F%202024/uploadAttachment`,
      method: 'POST',
      body: { contentType: 'text/plain', file: 'aGk=', filename: 'a.txt' },
    });
    expect(calls[0]!.headers.Authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('is not retried after a 5xx (a repeat would attach the file twice)', async () => {
    const { api, calls } = makeApi([e503]);
    const err = await caught(
      api.attachments.upload(
        { contentBaseUrl: CONTENT, baseId: BASE, recordId: record.id, field: 'F' },
        { contentType: 'text/plain', base64: 'aGk=', filename: 'a.txt' },
      ),
    );
    expect(err.status).toBe(503);
    expect(calls).toHaveLength(1);
  });
});

describe('webhooks', () => {
  it('create: POST /v0/bases/{baseId}/webhooks with the specification; not retried', async () => {
    const spec = { options: { filters: { dataTypes: ['tableData' as const] } } };
    const ok = makeApi([{ json: { id: HOOK, macSecretBase64: 'c2VjcmV0', expirationTime: null } }]);
    await expect(
      ok.api.webhooks.create(BASE, { specification: spec, notificationUrl: 'https://x.test/h' }),
    ).resolves.toEqual({ id: HOOK, macSecretBase64: 'c2VjcmV0', expirationTime: null });
    expect(ok.calls[0]).toMatchObject({
      url: `${HOST}/v0/bases/${BASE}/webhooks`,
      method: 'POST',
      body: { specification: spec, notificationUrl: 'https://x.test/h' },
    });
    const failing = makeApi([e503]);
    await caught(failing.api.webhooks.create(BASE, { specification: spec }));
    expect(failing.calls).toHaveLength(1);
  });

  it('list, refresh and payloads are retried after a 5xx; delete is not', async () => {
    const list = makeApi([e503, { json: { webhooks: [hook] } }]);
    await expect(list.api.webhooks.list(BASE)).resolves.toHaveLength(1);
    expect(list.calls.map((c) => c.method)).toEqual(['GET', 'GET']);

    const refresh = makeApi([e503, { json: { expirationTime: '2030-01-15T00:00:00.000Z' } }]);
    await expect(refresh.api.webhooks.refresh(BASE, HOOK)).resolves.toBe(
      '2030-01-15T00:00:00.000Z',
    );
    expect(refresh.calls[1]!.url).toBe(`${HOST}/v0/bases/${BASE}/webhooks/${HOOK}/refresh`);

    const payloads = makeApi([
      e503,
      { json: { cursor: 5, mightHaveMore: false, payloads: [{ a: 1 }] } },
    ]);
    await expect(
      payloads.api.webhooks.payloads(BASE, HOOK, { cursor: 4, limit: 10 }),
    ).resolves.toEqual({
      cursor: 5,
      mightHaveMore: false,
      payloads: [{ a: 1 }],
    });
    expect(payloads.calls[1]!.url).toBe(
      `${HOST}/v0/bases/${BASE}/webhooks/${HOOK}/payloads?cursor=4&limit=10`,
    );

    const del = makeApi([e503]);
    await caught(del.api.webhooks.delete(BASE, HOOK));
    expect(del.calls).toHaveLength(1);
    expect(del.calls[0]).toMatchObject({
      method: 'DELETE',
      url: `${HOST}/v0/bases/${BASE}/webhooks/${HOOK}`,
    });
  });

  it('a 403 names the webhook:manage scope; a malformed answer is UNEXPECTED_RESPONSE', async () => {
    const denied = makeApi([
      {
        status: 403,
        json: { error: { type: 'INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND', message: 'no' } },
      },
    ]);
    const err = await caught(denied.api.webhooks.list(BASE));
    expect(err.requiredScope).toBe('webhook:manage');
    expect(err.hint).toContain('webhook:manage');
    expect(JSON.stringify({ m: err.message, h: err.hint })).not.toContain(TOKEN);
    const odd = makeApi([{ json: { cursor: 'x', payloads: [] } }]);
    expect((await caught(odd.api.webhooks.payloads(BASE, HOOK))).type).toBe('UNEXPECTED_RESPONSE');
  });
});

describe('comments and bases', () => {
  const comment = {
    id: 'comAAAAAAAAAAAAAA',
    text: 'new',
    createdTime: '2024-01-01T00:00:00.000Z',
    lastUpdatedTime: '2024-01-02T00:00:00.000Z',
    author: { id: 'usrAAAAAAAAAAAAAA', email: 'a@x.test', name: 'A' },
  };

  it('updateComment PATCHes the text; deleteComment DELETEs; neither is retried', async () => {
    const { api, calls } = makeApi([
      { json: comment },
      { json: { id: comment.id, deleted: true } },
    ]);
    await expect(
      api.updateComment(BASE, 'My table', record.id, comment.id, 'new'),
    ).resolves.toMatchObject({
      text: 'new',
    });
    await expect(api.deleteComment(BASE, 'My table', record.id, comment.id)).resolves.toEqual({
      id: comment.id,
      deleted: true,
    });
    expect(calls.map((c) => [c.method, c.url, c.body])).toEqual([
      [
        'PATCH',
        `${HOST}/v0/${BASE}/My%20table/${record.id}/comments/${comment.id}`,
        { text: 'new' },
      ],
      ['DELETE', `${HOST}/v0/${BASE}/My%20table/${record.id}/comments/${comment.id}`, undefined],
    ]);
    const failing = makeApi([e503]);
    await caught(failing.api.deleteComment(BASE, 'T', record.id, comment.id));
    expect(failing.calls).toHaveLength(1);
  });

  it('createBase POSTs /v0/meta/bases and parses the tables', async () => {
    const table = {
      id: 'tblAAAAAAAAAAAAAA',
      name: 'T',
      primaryFieldId: 'fldAAAAAAAAAAAAAA',
      fields: [{ id: 'fldAAAAAAAAAAAAAA', name: 'Name', type: 'singleLineText' }],
      views: [{ id: 'viwAAAAAAAAAAAAAA', name: 'Grid view', type: 'grid' }],
    };
    const { api, calls } = makeApi([{ json: { id: BASE, tables: [table] } }]);
    const body = {
      name: 'New',
      workspaceId: 'wspAAAAAAAAAAAAAA',
      tables: [{ name: 'T', fields: [{ name: 'Name', type: 'singleLineText' }] }],
    };
    await expect(api.createBase(body)).resolves.toMatchObject({
      id: BASE,
      tables: [{ name: 'T' }],
    });
    expect(calls[0]).toMatchObject({ method: 'POST', url: `${HOST}/v0/meta/bases`, body });
  });

  it('updateRecords can ask for fields keyed by id', async () => {
    const { api, calls } = makeApi([{ json: { records: [{ ...record, fields: {} }] } }]);
    await api.updateRecords(BASE, 'T', [{ id: record.id, fields: { fldA: 1 } }], {
      returnFieldsByFieldId: true,
    });
    expect(calls[0]!.body).toEqual({
      records: [{ id: record.id, fields: { fldA: 1 } }],
      returnFieldsByFieldId: true,
    });
  });
});
