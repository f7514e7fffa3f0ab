/**
 * AirtableApi against an injected fetch: exact URLs, methods and bodies; the POST listRecords
 * switch at 16,000 characters; 10-record batches; 429 waits within the budget; retries only for
 * idempotent calls; one refresh after a 401; and no token in any error.
 */
import { AirtableApi, MAX_GET_URL_LENGTH } from '../../cloud/airtable/api-client';
import { AirtableApiError } from '../../cloud/airtable/api-errors';
import { AirtableRateLimiter } from '../../cloud/airtable/rate-limiter';

const TOKEN = 'oauthAccessToken.v1.SECRET-abcdef0123456789';
const FRESH = 'oauthAccessToken.v1.FRESH-9876543210fedcba';
const BASE = 'appAAAAAAAAAAAAAA';
const HOST = 'https://api.test';

type Reply =
  | { status?: number; json?: unknown; text?: string; headers?: Record<string, string> }
  | Error
  | 'hang';

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

function fakeFetch(replies: Reply[]) {
  const calls: Call[] = [];
  const fn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers = (init?.headers ?? {}) as Record<string, string>;
    calls.push({
      url: String(input),
      method: init?.method ?? 'GET',
      headers,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    const r = replies.shift();
    if (r === undefined) throw new Error(`unexpected request ${String(input)}`);
    if (r instanceof Error) throw r;
    if (r === 'hang') {
      return new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () =>
          reject(new DOMException('aborted', 'AbortError')),
        );
      });
    }
    const text = r.text ?? JSON.stringify(r.json ?? {});
    return new Response(text, {
      status: r.status ?? 200,
      headers: { 'content-type': 'application/json', ...(r.headers ?? {}) },
    });
  };
  return { fn: fn as typeof fetch, calls };
}

function makeApi(
  replies: Reply[],
  opts: Partial<ConstructorParameters<typeof AirtableApi>[0]> = {},
  refresh: () => Promise<string | null> = async () => FRESH,
) {
  const f = fakeFetch(replies);
  const refreshSpy = jest.fn(refresh);
  const api = new AirtableApi({
    baseUrl: `${HOST}/`,
    fetch: f.fn,
    tokens: { getAccessToken: async () => TOKEN, refreshAfterUnauthorized: refreshSpy },
    limiter: new AirtableRateLimiter(),
    userKey: 'usrAAAAAAAAAAAAAA',
    isPat: false,
    retryBaseDelayMs: 1,
    ...opts,
  });
  return { api, calls: f.calls, refreshSpy };
}

const rec = (id: string, fields: Record<string, unknown> = {}) => ({
  id,
  createdTime: '2024-01-01T00:00:00.000Z',
  fields,
});

async function caught(p: Promise<unknown>): Promise<AirtableApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AirtableApiError) return err;
    throw err;
  }
  throw new Error('expected an AirtableApiError');
}

function expectNoToken(err: unknown): void {
  const all = JSON.stringify({
    s: String(err),
    e: err,
    m: (err as Error).message,
    h: (err as AirtableApiError).hint,
    st: (err as Error).stack,
  });
  expect(all).not.toContain(TOKEN);
  expect(all).not.toContain(FRESH);
  expect(all).not.toContain('SECRET');
}

describe('AirtableApi: URLs, methods and bodies', () => {
  it('whoami: GET /v0/meta/whoami with the bearer token', async () => {
    const { api, calls } = makeApi([{ json: { id: 'usrX', scopes: ['data.records:read'] } }]);
    await expect(api.whoami()).resolves.toEqual({ id: 'usrX', scopes: ['data.records:read'] });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe(`${HOST}/v0/meta/whoami`);
    expect(calls[0]!.method).toBe('GET');
    expect(calls[0]!.headers.Authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('listBases follows offsets', async () => {
    const { api, calls } = makeApi([
      {
        json: { bases: [{ id: 'app1', name: 'One', permissionLevel: 'create' }], offset: 'itr1/a' },
      },
      { json: { bases: [{ id: 'app2', name: 'Two', permissionLevel: 'read' }] } },
    ]);
    const bases = await api.listBases();
    expect(bases.map((b) => b.id)).toEqual(['app1', 'app2']);
    expect(calls.map((c) => c.url)).toEqual([
      `${HOST}/v0/meta/bases`,
      `${HOST}/v0/meta/bases?offset=itr1%2Fa`,
    ]);
  });

  it('getBaseSchema: GET /v0/meta/bases/{base}/tables', async () => {
    const table = {
      id: 'tbl1',
      name: 'T',
      primaryFieldId: 'fld1',
      fields: [{ id: 'fld1', name: 'Name', type: 'singleLineText' }],
      views: [{ id: 'viw1', name: 'Grid', type: 'grid' }],
    };
    const { api, calls } = makeApi([{ json: { tables: [table] } }]);
    const tables = await api.getBaseSchema(BASE);
    expect(tables[0]!.fields[0]!.name).toBe('Name');
    expect(calls[0]!.url).toBe(`${HOST}/v0/meta/bases/${BASE}/tables`);
  });

  it('listRecords: GET with Airtable bracket parameters and an encoded table name', async () => {
    const { api, calls } = makeApi([{ json: { records: [rec('rec1')], offset: 'itr2' } }]);
    const page = await api.listRecords(BASE, 'My table/2', {
      filterByFormula: '{A} = "x"',
      sort: [{ field: 'A', direction: 'desc' }, { field: 'B' }],
      fields: ['A', 'B'],
      view: 'Grid view',
      pageSize: 50,
      offset: 'itr1',
    });
    expect(page).toEqual({ records: [rec('rec1')], offset: 'itr2' });
    const url = new URL(calls[0]!.url);
    expect(url.pathname).toBe(`/v0/${BASE}/My%20table%2F2`);
    expect([...url.searchParams]).toEqual([
      ['filterByFormula', '{A} = "x"'],
      ['sort[0][field]', 'A'],
      ['sort[0][direction]', 'desc'],
      ['sort[1][field]', 'B'],
      ['fields[]', 'A'],
      ['fields[]', 'B'],
      ['view', 'Grid view'],
      ['pageSize', '50'],
      ['offset', 'itr1'],
    ]);
    expect(calls[0]!.method).toBe('GET');
  });

  it('listRecords switches to POST .../listRecords when the GET URL would pass 16,000 chars', async () => {
    const prefix = `${HOST}/v0/${BASE}/tbl1?filterByFormula=`;
    const fits = 'x'.repeat(MAX_GET_URL_LENGTH - prefix.length);
    const tooLong = `${fits}y`;
    const { api, calls } = makeApi([{ json: { records: [] } }, { json: { records: [] } }]);
    await api.listRecords(BASE, 'tbl1', { filterByFormula: fits });
    await api.listRecords(BASE, 'tbl1', {
      filterByFormula: tooLong,
      fields: ['A'],
      sort: [{ field: 'A', direction: 'asc' }],
    });
    expect(calls[0]!.method).toBe('GET');
    expect(calls[0]!.url.length).toBe(MAX_GET_URL_LENGTH);
    expect(calls[1]!.method).toBe('POST');
    expect(calls[1]!.url).toBe(`${HOST}/v0/${BASE}/tbl1/listRecords`);
    expect(calls[1]!.headers['Content-Type']).toBe('application/json');
    expect(calls[1]!.body).toEqual({
      filterByFormula: tooLong,
      fields: ['A'],
      sort: [{ field: 'A', direction: 'asc' }],
    });
  });

  it('getRecord: GET /v0/{base}/{table}/{record}', async () => {
    const { api, calls } = makeApi([{ json: rec('recA', { Name: 'a' }) }]);
    await expect(api.getRecord(BASE, 'tbl1', 'recA')).resolves.toEqual(rec('recA', { Name: 'a' }));
    expect(calls[0]!.url).toBe(`${HOST}/v0/${BASE}/tbl1/recA`);
  });

  it('getRecord: cellFormat, timeZone, userLocale and returnFieldsByFieldId in the query', async () => {
    const { api, calls } = makeApi([{ json: rec('recA', { fldA: 'a' }) }]);
    await api.getRecord(BASE, 'tbl1', 'recA', {
      cellFormat: 'string',
      timeZone: 'Europe/Paris',
      userLocale: 'fr',
      returnFieldsByFieldId: true,
    });
    expect(calls[0]!.url).toBe(
      `${HOST}/v0/${BASE}/tbl1/recA?cellFormat=string&timeZone=Europe%2FParis&userLocale=fr&returnFieldsByFieldId=true`,
    );
  });

  it('createRecords: POST with records and typecast; refuses more than 10 or none', async () => {
    const { api, calls } = makeApi([{ json: { records: [rec('rec1', { A: 1 })] } }]);
    await api.createRecords(BASE, 'tbl1', [{ fields: { A: 1 } }], { typecast: true });
    expect(calls[0]!.method).toBe('POST');
    expect(calls[0]!.url).toBe(`${HOST}/v0/${BASE}/tbl1`);
    expect(calls[0]!.body).toEqual({ records: [{ fields: { A: 1 } }], typecast: true });
    const eleven = Array.from({ length: 11 }, () => ({ fields: {} }));
    await expect(api.createRecords(BASE, 'tbl1', eleven)).rejects.toThrow(RangeError);
    await expect(api.createRecords(BASE, 'tbl1', [])).rejects.toThrow(RangeError);
    expect(calls).toHaveLength(1);
  });

  it('updateRecords: PATCH merges, PUT replaces', async () => {
    const { api, calls } = makeApi([
      { json: { records: [rec('rec1')] } },
      { json: { records: [rec('rec1')] } },
    ]);
    await api.updateRecords(BASE, 'tbl1', [{ id: 'rec1', fields: { A: 2 } }]);
    await api.updateRecords(BASE, 'tbl1', [{ id: 'rec1', fields: { A: 3 } }], { replace: true });
    expect(calls.map((c) => c.method)).toEqual(['PATCH', 'PUT']);
    expect(calls[0]!.body).toEqual({ records: [{ id: 'rec1', fields: { A: 2 } }] });
  });

  it('upsertRecords: performUpsert.fieldsToMergeOn', async () => {
    const { api, calls } = makeApi([
      {
        json: {
          records: [rec('rec1'), rec('rec2')],
          createdRecords: ['rec2'],
          updatedRecords: ['rec1'],
        },
      },
    ]);
    const res = await api.upsertRecords(
      BASE,
      'tbl1',
      [{ fields: { Email: 'a@x' } }, { id: 'rec1', fields: { Email: 'b@x' } }],
      { fieldsToMergeOn: ['Email'] },
    );
    expect(res.createdRecords).toEqual(['rec2']);
    expect(calls[0]!.method).toBe('PATCH');
    expect(calls[0]!.body).toEqual({
      performUpsert: { fieldsToMergeOn: ['Email'] },
      records: [{ fields: { Email: 'a@x' } }, { id: 'rec1', fields: { Email: 'b@x' } }],
    });
  });

  it('deleteRecords: DELETE with records[] in the query', async () => {
    const { api, calls } = makeApi([
      {
        json: {
          records: [
            { id: 'rec1', deleted: true },
            { id: 'rec2', deleted: true },
          ],
        },
      },
    ]);
    await api.deleteRecords(BASE, 'tbl1', ['rec1', 'rec2']);
    expect(calls[0]!.method).toBe('DELETE');
    expect(calls[0]!.url).toBe(`${HOST}/v0/${BASE}/tbl1?records%5B%5D=rec1&records%5B%5D=rec2`);
  });

  it('schema writes and comments use the documented paths', async () => {
    const table = { id: 'tbl1', name: 'T', primaryFieldId: 'fld1', fields: [], views: [] };
    const field = { id: 'fld2', name: 'F', type: 'number', options: { precision: 0 } };
    const comment = {
      id: 'com1',
      text: 'hi',
      createdTime: '2024-01-01T00:00:00.000Z',
      author: { id: 'usr1', email: 'a@b.c' },
    };
    const { api, calls } = makeApi(
      [
        { json: table },
        { json: table },
        { json: field },
        { json: field },
        { json: { comments: [comment], offset: null } },
        { json: comment },
      ],
      { limiter: new AirtableRateLimiter({ perBasePerSecond: 100 }) },
    );
    await api.createTable(BASE, { name: 'T', fields: [{ name: 'Name', type: 'singleLineText' }] });
    await api.updateTable(BASE, 'tbl1', { name: 'T2' });
    await api.createField(BASE, 'tbl1', { name: 'F', type: 'number', options: { precision: 0 } });
    await api.updateField(BASE, 'tbl1', 'fld2', { description: 'd' });
    const page = await api.listComments(BASE, 'tbl1', 'rec1', { pageSize: 10 });
    await api.createComment(BASE, 'tbl1', 'rec1', { text: 'hi' });
    expect(page).toEqual({ items: [comment] });
    expect(calls.map((c) => `${c.method} ${c.url.slice(HOST.length)}`)).toEqual([
      `POST /v0/meta/bases/${BASE}/tables`,
      `PATCH /v0/meta/bases/${BASE}/tables/tbl1`,
      `POST /v0/meta/bases/${BASE}/tables/tbl1/fields`,
      `PATCH /v0/meta/bases/${BASE}/tables/tbl1/fields/fld2`,
      `GET /v0/${BASE}/tbl1/rec1/comments?pageSize=10`,
      `POST /v0/${BASE}/tbl1/rec1/comments`,
    ]);
    expect(calls[0]!.body).toEqual({
      name: 'T',
      fields: [{ name: 'Name', type: 'singleLineText' }],
    });
    expect(calls[5]!.body).toEqual({ text: 'hi' });
  });
});

describe('AirtableApi: errors', () => {
  it('parses {"error": {type, message}} and adds a 403 hint naming the missing scope', async () => {
    const { api } = makeApi(
      [
        {
          status: 403,
          json: {
            error: {
              type: 'INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND',
              message: 'Invalid permissions',
            },
          },
        },
      ],
      { grantedScopes: ['data.records:read'], reconnectUrl: 'https://mcp.example/auth/authorize' },
    );
    const err = await caught(api.getBaseSchema(BASE));
    expect(err.status).toBe(403);
    expect(err.type).toBe('INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND');
    expect(err.airtableMessage).toBe('Invalid permissions');
    expect(err.requiredScope).toBe('schema.bases:read');
    expect(err.hint).toContain('"schema.bases:read"');
    expect(err.hint).toContain('https://mcp.example/auth/authorize');
  });

  it('403 for a PAT points to the token settings', async () => {
    const { api } = makeApi(
      [{ status: 403, json: { error: { type: 'INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND' } } }],
      { isPat: true },
    );
    const err = await caught(api.listRecords(BASE, 'tbl1'));
    expect(err.hint).toContain('https://airtable.com/create/tokens');
    expect(err.hint).toContain('data.records:read');
  });

  it('reads the string form {"error": "NOT_FOUND"}', async () => {
    const { api } = makeApi([{ status: 404, json: { error: 'NOT_FOUND' } }]);
    const err = await caught(api.getRecord(BASE, 'tbl1', 'recX'));
    expect(err.status).toBe(404);
    expect(err.type).toBe('NOT_FOUND');
    expect(err.hint).toMatch(/list_bases/);
  });

  it('a response of the wrong shape is UNEXPECTED_RESPONSE, not a crash', async () => {
    const { api } = makeApi([{ json: { records: [{ id: 1 }] } }, { text: '<html>' }]);
    expect((await caught(api.listRecords(BASE, 'tbl1'))).type).toBe('UNEXPECTED_RESPONSE');
    expect((await caught(api.whoami())).type).toBe('UNEXPECTED_RESPONSE');
  });

  it('never puts the token in an error, even when Airtable or the network echoes it', async () => {
    const { api } = makeApi([
      { status: 422, json: { error: { type: `BAD ${TOKEN}`, message: `bad token ${TOKEN}` } } },
      new TypeError(`fetch failed for ${TOKEN}`),
    ]);
    const e1 = await caught(api.createRecords(BASE, 'tbl1', [{ fields: {} }]));
    expect(e1.airtableMessage).toContain('[redacted]');
    expectNoToken(e1);
    const e2 = await caught(api.createRecords(BASE, 'tbl1', [{ fields: {} }]));
    expect(e2.type).toBe('NETWORK_ERROR');
    expectNoToken(e2);
  });
});

describe('AirtableApi: 401 and refresh', () => {
  it('refreshes once after a 401 and retries with the fresh token', async () => {
    const { api, calls, refreshSpy } = makeApi([
      { status: 401, json: { error: { type: 'AUTHENTICATION_REQUIRED', message: 'x' } } },
      { json: { id: 'usr1' } },
    ]);
    await expect(api.whoami()).resolves.toEqual({ id: 'usr1' });
    expect(refreshSpy).toHaveBeenCalledTimes(1);
    expect(calls[1]!.headers.Authorization).toBe(`Bearer ${FRESH}`);
  });

  it('a second 401 fails with a reconnect hint, refreshing only once', async () => {
    const unauthorized = {
      status: 401,
      json: { error: { type: 'AUTHENTICATION_REQUIRED', message: 'Authentication required' } },
    };
    const { api, refreshSpy } = makeApi([unauthorized, unauthorized], {
      reconnectUrl: 'https://mcp.example/auth/authorize',
    });
    const err = await caught(api.createRecords(BASE, 'tbl1', [{ fields: {} }]));
    expect(refreshSpy).toHaveBeenCalledTimes(1);
    expect(err.status).toBe(401);
    expect(err.reconnectRequired).toBe(true);
    expect(err.hint).toContain('https://mcp.example/auth/authorize');
    expectNoToken(err);
  });

  it('when the refresh gives nothing, fails at once', async () => {
    const { api, calls, refreshSpy } = makeApi(
      [{ status: 401, json: { error: { type: 'AUTHENTICATION_REQUIRED' } } }],
      {},
      async () => null,
    );
    const err = await caught(api.whoami());
    expect(err.status).toBe(401);
    expect(refreshSpy).toHaveBeenCalledTimes(1);
    expect(calls).toHaveLength(1);
  });
});

describe('AirtableApi: retries', () => {
  it('retries a GET on 5xx, then succeeds', async () => {
    const { api, calls } = makeApi([{ status: 503 }, { status: 502 }, { json: { id: 'usr1' } }]);
    await expect(api.whoami()).resolves.toEqual({ id: 'usr1' });
    expect(calls).toHaveLength(3);
  });

  it('gives up after maxRetries', async () => {
    const { api, calls } = makeApi([{ status: 500 }, { status: 500 }, { status: 500 }]);
    const err = await caught(api.getRecord(BASE, 'tbl1', 'rec1'));
    expect(err.status).toBe(500);
    expect(calls).toHaveLength(3);
  });

  it('retries a GET after a network error', async () => {
    const { api, calls } = makeApi([new TypeError('fetch failed'), { json: { records: [] } }]);
    await api.listRecords(BASE, 'tbl1');
    expect(calls).toHaveLength(2);
  });

  it('retries the POST listRecords form (it is a read)', async () => {
    const { api, calls } = makeApi([{ status: 502 }, { json: { records: [] } }]);
    await api.listRecords(BASE, 'tbl1', { filterByFormula: 'x'.repeat(MAX_GET_URL_LENGTH) });
    expect(calls.map((c) => c.method)).toEqual(['POST', 'POST']);
  });

  it('never retries writes on 5xx or network errors', async () => {
    const { api, calls } = makeApi([
      { status: 503 },
      new TypeError('fetch failed'),
      { status: 500 },
      { status: 502 },
    ]);
    expect((await caught(api.createRecords(BASE, 'tbl1', [{ fields: {} }]))).status).toBe(503);
    expect((await caught(api.updateRecords(BASE, 'tbl1', [{ id: 'r', fields: {} }]))).type).toBe(
      'NETWORK_ERROR',
    );
    expect((await caught(api.deleteRecords(BASE, 'tbl1', ['rec1']))).status).toBe(500);
    expect((await caught(api.createComment(BASE, 't', 'rec1', { text: 'x' }))).status).toBe(502);
    expect(calls).toHaveLength(4);
  });

  it('times out a hanging attempt and retries it when idempotent', async () => {
    const { api, calls } = makeApi(['hang', 'hang', 'hang', 'hang'], { timeoutMs: 20 });
    const err = await caught(api.whoami());
    expect(err.type).toBe('TIMEOUT');
    expect(calls).toHaveLength(3);
    const err2 = await caught(api.createRecords(BASE, 'tbl1', [{ fields: {} }]));
    expect(err2.type).toBe('TIMEOUT');
    expect(calls).toHaveLength(4);
  });

  it('stops at once when the caller aborts', async () => {
    const { api, calls } = makeApi(['hang', 'hang']);
    const ac = new AbortController();
    const p = api.whoami({ signal: ac.signal });
    setTimeout(() => ac.abort(new Error('client went away')), 10);
    await expect(p).rejects.toThrow('client went away');
    expect(calls).toHaveLength(1);
  });
});

describe('AirtableApi: 429 and the rate limiter', () => {
  afterEach(() => jest.useRealTimers());

  it('waits as Retry-After says, then retries (writes too: a 429 was not processed)', async () => {
    jest.useFakeTimers();
    const { api, calls } = makeApi([
      { status: 429, headers: { 'Retry-After': '2' }, json: { errors: [{ error: 'RATE_LIMIT' }] } },
      { json: { records: [rec('rec1')] } },
    ]);
    const p = api.createRecords(BASE, 'tbl1', [{ fields: {} }]);
    await jest.advanceTimersByTimeAsync(1_900);
    expect(calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(200);
    await expect(p).resolves.toHaveLength(1);
    expect(calls).toHaveLength(2);
  });

  it('waits 30 s without Retry-After, and fails clearly when a second 429 would pass the budget', async () => {
    jest.useFakeTimers();
    const { api, calls } = makeApi([{ status: 429 }, { status: 429 }], {
      rateLimitBudgetMs: 35_000,
    });
    const p = caught(api.whoami());
    await jest.advanceTimersByTimeAsync(29_000);
    expect(calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1_100);
    expect(calls).toHaveLength(2);
    const err = await p;
    expect(err.status).toBe(429);
    expect(err.type).toBe('RATE_LIMITED');
    expect(err.retryAfterMs).toBeGreaterThan(25_000);
    expect(err.hint).toMatch(/try again in about \d+ s/);
  });

  it('with a tiny budget, fails at once instead of waiting', async () => {
    const { api, calls } = makeApi([{ status: 429, headers: { 'Retry-After': '30' } }], {
      rateLimitBudgetMs: 50,
    });
    const err = await caught(api.listRecords(BASE, 'tbl1'));
    expect(err.type).toBe('RATE_LIMITED');
    expect(calls).toHaveLength(1);
  });

  it("a 429 on a base makes other users' requests to that base wait too", async () => {
    jest.useFakeTimers();
    const limiter = new AirtableRateLimiter();
    const a = makeApi([{ status: 429, headers: { 'Retry-After': '5' } }], {
      limiter,
      rateLimitBudgetMs: 0,
    });
    const b = makeApi([{ json: { records: [] } }], { limiter, userKey: 'usrBBBBBBBBBBBBBB' });
    await caught(a.api.listRecords(BASE, 'tbl1'));
    const p = b.api.listRecords(BASE, 'tbl1');
    await jest.advanceTimersByTimeAsync(4_900);
    expect(b.calls).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(200);
    await p;
    expect(b.calls).toHaveLength(1);
  });

  it('sends at most 5 requests per 1.1 s to one base (a margin for arrival jitter)', async () => {
    jest.useFakeTimers();
    const replies = Array.from({ length: 7 }, () => ({
      json: { id: 'x', createdTime: 't', fields: {} },
    }));
    const { api, calls } = makeApi(replies);
    const all = Promise.all(replies.map(() => api.getRecord(BASE, 'tbl1', 'rec1')));
    await jest.advanceTimersByTimeAsync(10);
    expect(calls).toHaveLength(5);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(calls).toHaveLength(5);
    await jest.advanceTimersByTimeAsync(100);
    expect(calls).toHaveLength(7);
    await all;
  });
});

describe('AirtableRateLimiter', () => {
  it('per base 5/s, per PAT user 50/s, keys independent', () => {
    let now = 1_000_000;
    const l = new AirtableRateLimiter({ now: () => now, windowMs: 1000 });
    for (let i = 0; i < 5; i++) expect(l.tryAcquire({ baseId: 'appA' })).toBe(0);
    now += 100;
    expect(l.tryAcquire({ baseId: 'appA' })).toBe(900);
    expect(l.tryAcquire({ baseId: 'appB' })).toBe(0);
    now += 900;
    expect(l.tryAcquire({ baseId: 'appA' })).toBe(0);

    for (let i = 0; i < 50; i++) {
      expect(l.tryAcquire({ baseId: `app${i}`, patUserKey: 'usr1' })).toBe(0);
    }
    expect(l.tryAcquire({ baseId: 'appZ', patUserKey: 'usr1' })).toBeGreaterThan(0);
    expect(l.tryAcquire({ baseId: 'appZ', patUserKey: 'usr2' })).toBe(0);
  });

  it('a refused request takes no slot on any key', () => {
    let now = 0;
    const l = new AirtableRateLimiter({ now: () => now, windowMs: 1000, perPatUserPerSecond: 2 });
    for (let i = 0; i < 5; i++) l.tryAcquire({ baseId: 'appA' });
    expect(l.tryAcquire({ baseId: 'appA', patUserKey: 'u' })).toBeGreaterThan(0);
    expect(l.tryAcquire({ baseId: 'appB', patUserKey: 'u' })).toBe(0);
    expect(l.tryAcquire({ baseId: 'appC', patUserKey: 'u' })).toBe(0);
    expect(l.tryAcquire({ baseId: 'appD', patUserKey: 'u' })).toBeGreaterThan(0);
    now += 1000;
    expect(l.tryAcquire({ baseId: 'appA', patUserKey: 'u' })).toBe(0);
  });

  it('a request in flight holds its slot until answered, then for a window from the answer', async () => {
    let now = 0;
    const l = new AirtableRateLimiter({ now: () => now, windowMs: 1000 });
    const keys = { baseId: 'appA' };
    const opts = { maxWaitMs: 0 };
    const slow = await l.acquireSlot(keys, opts);
    for (let i = 0; i < 4; i++) l.settle(keys, (await l.acquireSlot(keys, opts)).slot);
    now = 5_000; // long after it was sent: the four answered ones have left the window
    for (let i = 0; i < 4; i++) expect(l.tryAcquire(keys)).toBe(0);
    // The slow one has not been answered: it may only now reach Airtable, so it still counts.
    expect(l.tryAcquire(keys)).toBeGreaterThan(0);
    l.settle(keys, slow.slot);
    now += 999;
    expect(l.tryAcquire(keys)).toBeGreaterThan(0);
    now += 1;
    expect(l.tryAcquire(keys)).toBe(0);
  });

  it('a request given up on counts one more window', async () => {
    let now = 0;
    const l = new AirtableRateLimiter({ now: () => now, windowMs: 1000, perBasePerSecond: 1 });
    const keys = { baseId: 'appA' };
    const { slot } = await l.acquireSlot(keys, { maxWaitMs: 0 });
    now = 300;
    l.settle(keys, slot, true);
    now = 2_299;
    expect(l.tryAcquire(keys)).toBeGreaterThan(0);
    now = 2_300;
    expect(l.tryAcquire(keys)).toBe(0);
  });
});
