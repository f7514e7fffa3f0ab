/**
 * The fake Airtable's Web API enforces Airtable's record rules (airtable.com/developers/web/api):
 * 10 records per write, pageSize <= 100 with opaque offsets, field types, filterByFormula,
 * scopes and base access (403), and rate limits (429 + penalty).
 */
import { startFakeAirtable, type FakeAirtable } from '../../fake-airtable/server';
import type { BaseSummary } from '../../fake-airtable/admin/fake-admin';

let fake: FakeAirtable;
let userId: string;
let token: string;
let base: BaseSummary;
const ALL_SCOPES = [
  'data.records:read',
  'data.records:write',
  'data.recordComments:read',
  'data.recordComments:write',
  'schema.bases:read',
] as const;

beforeAll(async () => {
  fake = await startFakeAirtable({ port: 0 });
});
afterAll(() => fake.stop());

beforeEach(() => {
  fake.admin.reset();
  fake.admin.setConfig({ rateLimitEnabled: false });
  userId = fake.admin.createUser({ email: 'owner@example.com', name: 'Owner' }).id;
  token = fake.admin.createPat({ userId, scopes: [...ALL_SCOPES], bases: 'all' }).token;
  base = fake.admin.createBase({
    name: 'Test base',
    ownerUserIds: [userId],
    tables: [
      {
        name: 'Teams',
        fields: [{ name: 'Name', type: 'singleLineText' }],
        records: [{ fields: { Name: 'Blue' } }],
      },
      {
        name: 'People',
        fields: [
          { name: 'Name', type: 'singleLineText' },
          { name: 'Notes', type: 'multilineText' },
          { name: 'Email', type: 'email' },
          { name: 'Age', type: 'number' },
          { name: 'Salary', type: 'currency' },
          { name: 'Active', type: 'checkbox' },
          { name: 'Born', type: 'date' },
          { name: 'Seen', type: 'dateTime' },
          {
            name: 'Level',
            type: 'singleSelect',
            options: { choices: [{ name: 'Junior' }, { name: 'Senior' }] },
          },
          { name: 'Tags', type: 'multipleSelects', options: { choices: ['x', 'y', 'z'] } },
          {
            name: 'Team',
            type: 'multipleRecordLinks',
            options: { linkedTableId: 'Teams', inverseFieldName: 'Members' },
          },
          { name: 'Num', type: 'autoNumber' },
          { name: 'Label', type: 'formula', options: { formula: "{Name} & '-' & {Age}" } },
        ],
        views: [
          { name: 'Grid view' },
          {
            name: 'Seniors',
            filterByFormula: "{Level} = 'Senior'",
            sort: [{ field: 'Age', direction: 'desc' }],
          },
        ],
      },
    ],
  });
});

const baseId = () => base.id;

async function api(
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; query?: string | URLSearchParams } = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const q = opts.query === undefined ? '' : `?${opts.query.toString()}`;
  const res = await fetch(`${fake.url}/v0/${path}${q}`, {
    method,
    headers: {
      Authorization: `Bearer ${opts.token ?? token}`,
      ...(opts.body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

type Rec = { id: string; createdTime: string; fields: Record<string, unknown> };
const people = () => `${baseId()}/People`;
const errorType = (r: { json: Record<string, unknown> }) =>
  (r.json.error as { type?: string } | undefined)?.type;

function seedPeople(rows: Record<string, unknown>[]): string[] {
  return fake.admin
    .createRecords(baseId(), 'People', { records: rows.map((fields) => ({ fields })) })
    .records.map((r) => r.id);
}

describe('creating records', () => {
  test('at most 10 records per request', async () => {
    const many = (n: number) => ({
      records: Array.from({ length: n }, (_, i) => ({ fields: { Name: `P${i}` } })),
    });
    const eleven = await api('POST', people(), { body: many(11) });
    expect(eleven.status).toBe(422);
    expect(errorType(eleven)).toBe('INVALID_RECORDS');
    expect(fake.admin.listRecords(baseId(), 'People').records).toHaveLength(0);
    const ten = await api('POST', people(), { body: many(10) });
    expect(ten.status).toBe(200);
    expect(ten.json.records).toHaveLength(10);
    expect(errorType(await api('POST', people(), { body: many(0) }))).toBe('INVALID_RECORDS');
  });

  test('single-record form, empty fields omitted, computed fields returned', async () => {
    const res = await api('POST', people(), {
      body: { fields: { Name: 'Ann', Age: 30, Notes: '', Active: false } },
    });
    expect(res.status).toBe(200);
    const rec = res.json as unknown as Rec;
    expect(rec.id).toMatch(/^rec[A-Za-z0-9]{14}$/);
    expect(rec.fields).toEqual({ Name: 'Ann', Age: 30, Num: 1, Label: 'Ann-30' });
    expect(errorType(await api('POST', people(), { body: {} }))).toBe(
      'INVALID_REQUEST_MISSING_FIELDS',
    );
  });

  test('unknown fields, wrong types and computed fields are 422', async () => {
    const post = (fields: Record<string, unknown>, typecast?: boolean) =>
      api('POST', people(), { body: { records: [{ fields }], ...(typecast ? { typecast } : {}) } });
    expect(errorType(await post({ Nope: 1 }))).toBe('UNKNOWN_FIELD_NAME');
    for (const fields of [
      { Age: '12' },
      { Name: 5 },
      { Active: 'yes' },
      { Born: '2024-02-30' },
      { Seen: 'yesterday' },
      { Tags: 'x' },
      { Team: 'Blue' },
      { Num: 3 },
      { Label: 'x' },
    ])
      expect([fields, errorType(await post(fields))]).toEqual([fields, 'INVALID_VALUE_FOR_COLUMN']);
    expect(errorType(await post({ Level: 'Boss' }))).toBe('INVALID_MULTIPLE_CHOICE_OPTIONS');
    expect(errorType(await post({ Team: ['recAAAAAAAAAAAAAA'] }))).toBe('ROW_DOES_NOT_EXIST');
  });

  test('typecast converts values, adds select options and links by name', async () => {
    const res = await api('POST', people(), {
      body: {
        typecast: true,
        records: [
          {
            fields: {
              Name: 'Bo',
              Age: '41',
              Active: 'true',
              Level: 'Boss',
              Tags: 'x, q',
              Team: ['Blue', 'Red'],
              Seen: '2024-05-01',
            },
          },
        ],
      },
    });
    expect(res.status).toBe(200);
    const rec = (res.json.records as Rec[])[0]!;
    expect(rec.fields).toMatchObject({
      Age: 41,
      Active: true,
      Level: 'Boss',
      Tags: ['x', 'q'],
      Seen: '2024-05-01T00:00:00.000Z',
    });
    expect(rec.fields.Team).toHaveLength(2);
    const teams = fake.admin.listRecords(baseId(), 'Teams').records;
    expect(teams.map((t) => t.fields.Name)).toEqual(['Blue', 'Red']);
    expect(teams[1]!.fields.Members).toEqual([rec.id]);
    const schema = await api('GET', `meta/bases/${baseId()}/tables`);
    const level = (
      schema.json.tables as {
        fields: { name: string; options?: { choices?: { name: string }[] } }[];
      }[]
    )[1]!.fields.find((f) => f.name === 'Level')!;
    expect(level.options!.choices!.map((c) => c.name)).toEqual(['Junior', 'Senior', 'Boss']);
  });

  test('a request is atomic: one bad record writes nothing (not even new options)', async () => {
    const res = await api('POST', people(), {
      body: {
        typecast: true,
        records: [{ fields: { Name: 'ok', Level: 'New' } }, { fields: { Age: 'old' } }],
      },
    });
    expect(res.status).toBe(422);
    expect(fake.admin.listRecords(baseId(), 'People').records).toHaveLength(0);
    const level = fake.admin.getBase(baseId()).tables[1]!.fields.find((f) => f.name === 'Level')!;
    expect(level).toBeDefined();
    const schema = await api('GET', `meta/bases/${baseId()}/tables`);
    expect(JSON.stringify(schema.json)).not.toContain('"New"');
  });
});

describe('updating and deleting', () => {
  test('PATCH merges, PUT clears omitted fields', async () => {
    const [id] = seedPeople([{ Name: 'Cy', Age: 20, Email: 'cy@example.com' }]);
    const patched = await api('PATCH', `${people()}/${id}`, { body: { fields: { Age: 21 } } });
    expect((patched.json as unknown as Rec).fields).toMatchObject({
      Name: 'Cy',
      Age: 21,
      Email: 'cy@example.com',
    });
    const put = await api('PUT', people(), { body: { records: [{ id, fields: { Name: 'Cy' } }] } });
    expect((put.json.records as Rec[])[0]!.fields).toEqual({ Name: 'Cy', Num: 1, Label: 'Cy-' });
    expect(
      (
        await api('PATCH', people(), {
          body: { records: [{ id: 'recAAAAAAAAAAAAAA', fields: {} }] },
        })
      ).status,
    ).toBe(404);
    const many = Array.from({ length: 11 }, () => ({ id, fields: { Age: 1 } }));
    expect(errorType(await api('PATCH', people(), { body: { records: many } }))).toBe(
      'INVALID_RECORDS',
    );
  });

  test('performUpsert creates or updates by 1-3 merge fields', async () => {
    const [id] = seedPeople([{ Name: 'Di', Email: 'di@example.com', Age: 50 }]);
    const res = await api('PATCH', people(), {
      body: {
        performUpsert: { fieldsToMergeOn: ['Email'] },
        records: [
          { fields: { Email: 'di@example.com', Age: 51 } },
          { fields: { Email: 'new@example.com', Name: 'Ed' } },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.json.updatedRecords).toEqual([id]);
    expect(res.json.createdRecords).toHaveLength(1);
    expect((res.json.records as Rec[])[0]!.fields).toMatchObject({ Name: 'Di', Age: 51 });
    const four = await api('PATCH', people(), {
      body: {
        performUpsert: { fieldsToMergeOn: ['Name', 'Email', 'Age', 'Notes'] },
        records: [{ fields: { Name: 'x' } }],
      },
    });
    expect(four.status).toBe(422);
  });

  test('DELETE takes at most 10 ids and removes links to the deleted records', async () => {
    const [a, b] = seedPeople([{ Name: 'A', Team: ['Blue'] }, { Name: 'B' }]);
    const tooMany = new URLSearchParams(Array.from({ length: 11 }, () => ['records[]', a!]));
    expect(errorType(await api('DELETE', people(), { query: tooMany }))).toBe('INVALID_RECORDS');
    const q = new URLSearchParams([
      ['records[]', a!],
      ['records[]', b!],
    ]);
    const res = await api('DELETE', people(), { query: q });
    expect(res.json).toEqual({
      records: [
        { id: a, deleted: true },
        { id: b, deleted: true },
      ],
    });
    expect(fake.admin.listRecords(baseId(), 'Teams').records[0]!.fields.Members).toBeUndefined();
    expect((await api('DELETE', `${people()}/${a}`)).status).toBe(404);
    expect((await api('GET', `${people()}/${a}`)).status).toBe(404);
  });
});

describe('listing records', () => {
  test('pageSize over 100 (or under 1) is 422', async () => {
    for (const size of ['101', '0', 'ten'])
      expect(errorType(await api('GET', people(), { query: `pageSize=${size}` }))).toBe(
        'INVALID_REQUEST_UNKNOWN',
      );
    expect(errorType(await api('GET', people(), { query: 'limit=5' }))).toBe(
      'INVALID_REQUEST_UNKNOWN',
    );
  });

  test('250 records page as 100 + 100 + 50 with opaque offsets', async () => {
    seedPeople(
      Array.from({ length: 250 }, (_, i) => ({ Name: `P${String(i).padStart(3, '0')}`, Age: i })),
    );
    const seen: string[] = [];
    const sizes: number[] = [];
    let offset: string | undefined;
    do {
      const res = await api('GET', people(), {
        query: offset ? new URLSearchParams({ offset }) : undefined,
      });
      expect(res.status).toBe(200);
      const recs = res.json.records as Rec[];
      sizes.push(recs.length);
      seen.push(...recs.map((r) => r.id));
      offset = res.json.offset as string | undefined;
    } while (offset);
    expect(sizes).toEqual([100, 100, 50]);
    expect(new Set(seen).size).toBe(250);

    const small = await api('GET', people(), {
      query: 'pageSize=30&maxRecords=70&sort[0][field]=Age&sort[0][direction]=desc',
    });
    expect((small.json.records as Rec[])[0]!.fields.Age).toBe(249);
    let total = (small.json.records as Rec[]).length;
    let next = small.json.offset as string | undefined;
    while (next) {
      const res = await api('GET', people(), {
        query: new URLSearchParams({
          pageSize: '30',
          maxRecords: '70',
          'sort[0][field]': 'Age',
          'sort[0][direction]': 'desc',
          offset: next,
        }),
      });
      total += (res.json.records as Rec[]).length;
      next = res.json.offset as string | undefined;
    }
    expect(total).toBe(70);
  });

  test('bad, foreign or expired offsets are 422', async () => {
    seedPeople(Array.from({ length: 5 }, (_, i) => ({ Name: `P${i}` })));
    const first = await api('GET', people(), { query: 'pageSize=2' });
    const offset = first.json.offset as string;
    expect(offset).toMatch(/^itr[A-Za-z0-9]{14}\/rec[A-Za-z0-9]{14}$/);
    expect(
      errorType(await api('GET', people(), { query: new URLSearchParams({ offset: 'garbage' }) })),
    ).toBe('LIST_RECORDS_ITERATOR_NOT_AVAILABLE');
    const otherQuery = new URLSearchParams({ offset, filterByFormula: 'TRUE()' });
    expect(errorType(await api('GET', people(), { query: otherQuery }))).toBe(
      'LIST_RECORDS_ITERATOR_NOT_AVAILABLE',
    );
    expect(
      (await api('GET', people(), { query: new URLSearchParams({ offset, pageSize: '2' }) }))
        .status,
    ).toBe(200);
    fake.admin.advanceClock(16 * 60 * 1000);
    expect(errorType(await api('GET', people(), { query: new URLSearchParams({ offset }) }))).toBe(
      'LIST_RECORDS_ITERATOR_NOT_AVAILABLE',
    );
  });

  test('fields[], sort, returnFieldsByFieldId, view, cellFormat', async () => {
    seedPeople([
      { Name: 'B', Age: 2, Level: 'Senior', Salary: 1234.5 },
      { Name: 'A', Age: 3, Level: 'Senior' },
      { Name: 'C', Age: 1 },
    ]);
    const q = new URLSearchParams([
      ['fields[]', 'Name'],
      ['fields[]', 'Age'],
      ['sort[0][field]', 'Name'],
    ]);
    const res = await api('GET', people(), { query: q });
    expect((res.json.records as Rec[]).map((r) => r.fields)).toEqual([
      { Name: 'A', Age: 3 },
      { Name: 'B', Age: 2 },
      { Name: 'C', Age: 1 },
    ]);
    expect(errorType(await api('GET', people(), { query: 'fields[]=Nope' }))).toBe(
      'UNKNOWN_FIELD_NAME',
    );
    const byId = await api('GET', people(), { query: 'returnFieldsByFieldId=true&maxRecords=1' });
    const nameId = base.tables[1]!.fields.find((f) => f.name === 'Name')!.id;
    expect((byId.json.records as Rec[])[0]!.fields[nameId]).toBe('B');
    const view = await api('GET', people(), { query: 'view=Seniors' });
    expect((view.json.records as Rec[]).map((r) => r.fields.Name)).toEqual(['A', 'B']);
    expect(errorType(await api('GET', people(), { query: 'view=Nope' }))).toBe(
      'VIEW_NAME_NOT_FOUND',
    );
    expect(errorType(await api('GET', people(), { query: 'cellFormat=string' }))).toBe(
      'INVALID_REQUEST_UNKNOWN',
    );
    const str = await api('GET', people(), {
      query: 'cellFormat=string&timeZone=utc&userLocale=en&maxRecords=1',
    });
    expect((str.json.records as Rec[])[0]!.fields.Salary).toBe('$1,234.50');
  });

  test('URLs over 16,000 characters are refused; POST listRecords takes the same parameters', async () => {
    seedPeople([{ Name: 'needle' }, { Name: 'hay' }]);
    const formula = `OR(${Array.from({ length: 800 }, () => "{Name} = 'needle'").join(',')})`;
    const long = await api('GET', people(), {
      query: new URLSearchParams({ filterByFormula: formula }),
    });
    expect(long.status).toBe(414);
    const post = await api('POST', `${people()}/listRecords`, {
      body: { filterByFormula: formula, fields: ['Name'], pageSize: 10 },
    });
    expect(post.status).toBe(200);
    expect((post.json.records as Rec[]).map((r) => r.fields)).toEqual([{ Name: 'needle' }]);
    expect(
      errorType(await api('POST', `${people()}/listRecords`, { body: { pageSize: 101 } })),
    ).toBe('INVALID_REQUEST_UNKNOWN');
    expect(errorType(await api('POST', `${people()}/listRecords`, { body: { bogus: 1 } }))).toBe(
      'INVALID_REQUEST_UNKNOWN',
    );
  });

  test('GET one record; unknown record 404; unknown table 403', async () => {
    const [id] = seedPeople([{ Name: 'Solo' }]);
    expect(((await api('GET', `${people()}/${id}`)).json as unknown as Rec).fields.Name).toBe(
      'Solo',
    );
    const tableId = base.tables[1]!.id;
    expect((await api('GET', `${baseId()}/${tableId}/${id}`)).status).toBe(200);
    expect((await api('GET', `${people()}/recAAAAAAAAAAAAAA`)).status).toBe(404);
    expect(errorType(await api('GET', `${baseId()}/Nope`))).toBe(
      'INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND',
    );
  });
});

describe('filterByFormula', () => {
  beforeEach(() => {
    seedPeople([
      {
        Name: 'Ann Lee',
        Age: 30,
        Active: true,
        Tags: ['x', 'y'],
        Level: 'Senior',
        Notes: 'say "hi"',
        Team: ['Blue'],
      },
      { Name: 'bob', Age: 17, Tags: ['z'], Notes: "it's fine" },
      { Name: '  Cy  ', Age: 45, Active: true, Level: 'Junior', Email: 'cy@example.com' },
      { Name: 'Dee', Notes: 'back\\slash' },
    ]);
  });

  const names = async (formula: string) => {
    const res = await api('GET', people(), {
      query: new URLSearchParams({ filterByFormula: formula, 'sort[0][field]': 'Num' }),
    });
    if (res.status !== 200) return res.json;
    return (res.json.records as Rec[]).map((r) => r.fields.Name);
  };

  test.each([
    ["{Name} = 'bob'", ['bob']],
    ['{Name} = "bob"', ['bob']],
    ["{Name} != 'bob'", ['Ann Lee', '  Cy  ', 'Dee']],
    ['{Age} > 20', ['Ann Lee', '  Cy  ']],
    ['{Age} <= 17', ['bob', 'Dee']],
    ['AND({Active}, {Age} >= 40)', ['  Cy  ']],
    ['OR({Name} = "bob", {Level} = "Senior")', ['Ann Lee', 'bob']],
    ['NOT({Active})', ['bob', 'Dee']],
    ['{Active} = TRUE()', ['Ann Lee', '  Cy  ']],
    ["FIND('Lee', {Name})", ['Ann Lee']],
    ["FIND('lee', {Name})", []],
    ["SEARCH('o', {Name})", ['bob']],
    ["LOWER({Name}) = 'ann lee'", ['Ann Lee']],
    ["UPPER({Name}) = 'BOB'", ['bob']],
    ['LEN({Name}) = 3', ['bob', 'Dee']],
    ["TRIM({Name}) = 'Cy'", ['  Cy  ']],
    ["IF({Age} > 40, 'old', '') = 'old'", ['  Cy  ']],
    ['{Email} = BLANK()', ['Ann Lee', 'bob', 'Dee']],
    ['{Email}', ['  Cy  ']],
    ["ARRAYJOIN({Tags}, '|') = 'x|y'", ['Ann Lee']],
    ["FIND('y', {Tags})", ['Ann Lee']],
    ["{Team} = 'Blue'", ['Ann Lee']],
    ['VALUE("$45") = {Age}', ['  Cy  ']],
    ["CONCATENATE({Name}, '!') = 'bob!'", ['bob']],
    ["{Name} & '/' & {Age} = 'bob/17'", ['bob']],
    ['{Notes} = "say \\"hi\\""', ['Ann Lee']],
    ["{Notes} = 'it\\'s fine'", ['bob']],
    ["{Notes} = 'back\\\\slash'", ['Dee']],
    ['{Age} * 2 + 1 = 35', ['bob']],
    ['{Age} / 0', []],
    ['Age > 40', ['  Cy  ']],
    ['', ['Ann Lee', 'bob', '  Cy  ', 'Dee']],
  ])('%s', async (formula, expected) => {
    expect(await names(formula)).toEqual(expected);
  });

  test('RECORD_ID() matches the record id', async () => {
    const id = fake.admin.listRecords(baseId(), 'People').records[1]!.id;
    expect(await names(`RECORD_ID() = '${id}'`)).toEqual(['bob']);
  });

  test.each([
    "{Name} = 'unterminated",
    '{Name',
    'AND(',
    'NOPE({Name})',
    '{Name} == 1',
    'LEN()',
    '{Nope} = 1',
  ])('%s is 422 INVALID_FILTER_BY_FORMULA', async (formula) => {
    const res = await api('GET', people(), {
      query: new URLSearchParams({ filterByFormula: formula }),
    });
    expect(res.status).toBe(422);
    expect(errorType(res)).toBe('INVALID_FILTER_BY_FORMULA');
  });
});

describe('comments', () => {
  test('post and list newest first', async () => {
    const [id] = seedPeople([{ Name: 'Talk' }]);
    const path = `${people()}/${id}/comments`;
    const c1 = await api('POST', path, { body: { text: 'first' } });
    expect(c1.json).toMatchObject({
      text: 'first',
      author: { id: userId, email: 'owner@example.com', name: 'Owner' },
    });
    await api('POST', path, { body: { text: 'second' } });
    const list = await api('GET', path, { query: 'pageSize=1' });
    expect((list.json.comments as { text: string }[]).map((c) => c.text)).toEqual(['second']);
    const page2 = await api('GET', path, {
      query: new URLSearchParams({ pageSize: '1', offset: list.json.offset as string }),
    });
    expect((page2.json.comments as { text: string }[]).map((c) => c.text)).toEqual(['first']);
    expect(page2.json.offset).toBeNull();
    expect(errorType(await api('POST', path, { body: { text: '' } }))).toBe(
      'INVALID_REQUEST_UNKNOWN',
    );
  });
});

describe('scopes and base access', () => {
  test('a missing scope is 403 INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND', async () => {
    const ro = fake.admin.createPat({ userId, scopes: ['data.records:read'], bases: 'all' }).token;
    const res = await api('POST', people(), { token: ro, body: { fields: { Name: 'x' } } });
    expect(res.status).toBe(403);
    expect(errorType(res)).toBe('INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND');
    expect((await api('GET', people(), { token: ro })).status).toBe(200);
    expect((await api('GET', `meta/bases/${baseId()}/tables`, { token: ro })).status).toBe(403);
    expect((await api('GET', `${people()}/recAAAAAAAAAAAAAA/comments`, { token: ro })).status).toBe(
      403,
    );
  });

  test('a base outside the token, or of another user, is 403 like a missing base', async () => {
    const other = fake.admin.createBase({
      name: 'Other',
      ownerUserIds: [userId],
      tables: [{ name: 'T', fields: [{ name: 'Name', type: 'singleLineText' }] }],
    });
    const limited = fake.admin.createPat({
      userId,
      scopes: [...ALL_SCOPES],
      bases: [other.id],
    }).token;
    expect(errorType(await api('GET', people(), { token: limited }))).toBe(
      'INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND',
    );
    expect((await api('GET', `${other.id}/T`, { token: limited })).status).toBe(200);
    const bases = await api('GET', 'meta/bases', { token: limited });
    expect(bases.json.bases).toEqual([{ id: other.id, name: 'Other', permissionLevel: 'create' }]);
    const stranger = fake.admin.createUser({}).id;
    const theirs = fake.admin.createPat({
      userId: stranger,
      scopes: [...ALL_SCOPES],
      bases: 'all',
    }).token;
    expect((await api('GET', people(), { token: theirs })).status).toBe(403);
    expect(errorType(await api('GET', 'appAAAAAAAAAAAAAA/T'))).toBe(
      'INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND',
    );
  });

  test('a read-only collaborator cannot write', async () => {
    const reader = fake.admin.createUser({}).id;
    fake.admin.setCollaborator(baseId(), { userId: reader, permissionLevel: 'read' });
    const t = fake.admin.createPat({ userId: reader, scopes: [...ALL_SCOPES], bases: 'all' }).token;
    expect((await api('GET', people(), { token: t })).status).toBe(200);
    const res = await api('POST', people(), { token: t, body: { fields: { Name: 'x' } } });
    expect(res.status).toBe(403);
  });

  test('an OAuth grant sees only the bases chosen on the consent page', async () => {
    const other = fake.admin.createBase({ name: 'Other', ownerUserIds: [userId] });
    fake.admin.registerRedirectUri({ uri: 'http://localhost:1/cb' });
    const { pkcePair, authorizeQuery, basicAuth, postToken } =
      await import('../../fake-airtable/oauth-test-kit');
    const { verifier, challenge } = pkcePair();
    const q = authorizeQuery({
      clientId: fake.clientId,
      redirectUri: 'http://localhost:1/cb',
      scope: 'data.records:read schema.bases:read',
      challenge,
    });
    const r = fake.admin.authorize({ query: q.toString(), user_id: userId, base_ids: [other.id] });
    if (!r.ok) throw new Error('authorize failed');
    const t = await postToken(
      fake.url,
      {
        grant_type: 'authorization_code',
        code: r.code!,
        redirect_uri: 'http://localhost:1/cb',
        code_verifier: verifier,
      },
      basicAuth(fake.clientId, fake.clientSecret),
    );
    const access = t.json.access_token as string;
    expect((await api('GET', 'meta/bases', { token: access })).json.bases).toEqual([
      { id: other.id, name: 'Other', permissionLevel: 'create' },
    ]);
    expect((await api('GET', people(), { token: access })).status).toBe(403);
  });

  test('GET /v0/meta/bases pages with offset', async () => {
    for (let i = 0; i < 4; i++) fake.admin.createBase({ name: `B${i}`, ownerUserIds: [userId] });
    fake.admin.setConfig({ basesPageSize: 2 });
    const names: string[] = [];
    let offset: string | undefined;
    do {
      const res = await api('GET', 'meta/bases', {
        query: offset ? new URLSearchParams({ offset }) : undefined,
      });
      names.push(...(res.json.bases as { name: string }[]).map((b) => b.name));
      offset = res.json.offset as string | undefined;
    } while (offset);
    expect(names).toEqual(['Test base', 'B0', 'B1', 'B2', 'B3']);
  });
});

describe('rate limits', () => {
  const hit = (b = baseId(), t = token) =>
    api('GET', `${b}/People`, { token: t }).then((r) => r.status);

  test('5 requests per second per base, then 429 for the penalty time', async () => {
    fake.admin.setConfig({ rateLimitEnabled: true, rateLimitPenaltyMs: 300 });
    const other = fake.admin.createBase({
      name: 'Other',
      ownerUserIds: [userId],
      tables: [{ name: 'People', fields: [{ name: 'Name', type: 'singleLineText' }] }],
    });
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push(await hit());
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const res = await api('GET', people());
    expect(res.json).toEqual({
      error: { type: 'RATE_LIMIT_REACHED', message: expect.any(String) },
    });
    expect(await hit(other.id)).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await hit()).toBe(200);
    const stats = fake.admin.stats();
    expect(stats.rateLimited.total).toBe(2);
    expect(stats.rateLimited.perBase).toBe(1);
  });

  test('the penalty keeps the base at 429 even when traffic stops', async () => {
    fake.admin.setConfig({ rateLimitEnabled: true, rateLimitPenaltyMs: 30_000 });
    for (let i = 0; i < 6; i++) await hit();
    fake.admin.advanceClock(5000);
    expect(await hit()).toBe(429);
    fake.admin.advanceClock(26_000);
    expect(await hit()).toBe(200);
  });

  test('all PAT traffic of one user shares a per-user limit', async () => {
    fake.admin.setConfig({
      rateLimitEnabled: true,
      rateLimitPenaltyMs: 300,
      perPatUserRequestsPerSecond: 3,
    });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await api('GET', 'meta/whoami')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(fake.admin.stats().rateLimited.perPatUser).toBe(1);
  });
});
