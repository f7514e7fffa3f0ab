/**
 * The fake Airtable's schema endpoints (airtable.com/developers/web/api: get-base-schema,
 * create-table, update-table, create-field, update-field) and its formula parser.
 */
import { startFakeAirtable, type FakeAirtable } from '../../fake-airtable/server';
import { evaluate } from '../../fake-airtable/formula/evaluator';
import { parseFormula } from '../../fake-airtable/formula/parser';
import type { FValue } from '../../fake-airtable/formula/values';

let fake: FakeAirtable;
let userId: string;
let token: string;
let baseId: string;

beforeAll(async () => {
  fake = await startFakeAirtable({ port: 0 });
});
afterAll(() => fake.stop());
beforeEach(() => {
  fake.admin.reset();
  fake.admin.setConfig({ rateLimitEnabled: false });
  userId = fake.admin.createUser({}).id;
  token = fake.admin.createPat({
    userId,
    scopes: ['schema.bases:read', 'schema.bases:write'],
    bases: 'all',
  }).token;
  baseId = fake.admin.createBase({
    name: 'Schema base',
    ownerUserIds: [userId],
    tables: [
      {
        name: 'Things',
        description: 'Stuff',
        fields: [
          { name: 'Name', type: 'singleLineText' },
          { name: 'Qty', type: 'number', description: 'How many' },
        ],
      },
    ],
  }).id;
});

async function api(method: string, path: string, body?: unknown, t = token) {
  const res = await fetch(`${fake.url}/v0/meta/bases/${baseId}/${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${t}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: res.status,
    json: (await res.json()) as Record<string, unknown> & { error?: { type: string } },
  };
}

type TableJson = {
  id: string;
  name: string;
  primaryFieldId: string;
  fields: { id: string; name: string; type: string; options?: Record<string, unknown> }[];
  views: Record<string, unknown>[];
};

test('GET tables returns tables with fields, options and views', async () => {
  const res = await api('GET', 'tables');
  const [t] = res.json.tables as TableJson[];
  expect(t).toMatchObject({
    name: 'Things',
    description: 'Stuff',
    primaryFieldId: t!.fields[0]!.id,
  });
  expect(t!.fields[1]).toMatchObject({
    name: 'Qty',
    type: 'number',
    description: 'How many',
    options: { precision: 0 },
  });
  expect(t!.views).toEqual([
    { id: expect.stringMatching(/^viw/), name: 'Grid view', type: 'grid' },
  ]);
  const withIds = await api('GET', 'tables?include[]=visibleFieldIds');
  expect((withIds.json.tables as TableJson[])[0]!.views[0]!.visibleFieldIds).toHaveLength(2);
  expect((await api('GET', 'tables?bogus=1')).status).toBe(422);
});

test('create a table; links get an inverse field', async () => {
  const things = ((await api('GET', 'tables')).json.tables as TableJson[])[0]!;
  const res = await api('POST', 'tables', {
    name: 'Orders',
    fields: [
      { name: 'Ref', type: 'singleLineText' },
      { name: 'Thing', type: 'multipleRecordLinks', options: { linkedTableId: things.id } },
      { name: 'Paid', type: 'checkbox', options: { icon: 'check', color: 'greenBright' } },
      {
        name: 'Status',
        type: 'singleSelect',
        options: { choices: [{ name: 'Open' }, { name: 'Closed' }] },
      },
    ],
  });
  expect(res.status).toBe(200);
  const orders = res.json as unknown as TableJson;
  expect(orders.primaryFieldId).toBe(orders.fields[0]!.id);
  const link = orders.fields[1]!;
  const after = ((await api('GET', 'tables')).json.tables as TableJson[])[0]!;
  const inverse = after.fields.find((f) => f.name === 'Orders')!;
  expect(inverse.options).toMatchObject({ linkedTableId: orders.id, inverseLinkFieldId: link.id });
  expect(link.options).toMatchObject({ linkedTableId: things.id, inverseLinkFieldId: inverse.id });
});

test.each([
  [
    'a duplicate table name',
    { name: 'things', fields: [{ name: 'N', type: 'singleLineText' }] },
    'DUPLICATE_TABLE_NAME',
  ],
  [
    'number without options',
    {
      name: 'T',
      fields: [
        { name: 'N', type: 'singleLineText' },
        { name: 'Q', type: 'number' },
      ],
    },
    'INVALID_FIELD_TYPE_OPTIONS',
  ],
  [
    'a formula field',
    {
      name: 'T',
      fields: [
        { name: 'N', type: 'singleLineText' },
        { name: 'F', type: 'formula', options: { formula: '1' } },
      ],
    },
    'UNSUPPORTED_FIELD_TYPE_FOR_CREATE',
  ],
  [
    'a checkbox primary field',
    {
      name: 'T',
      fields: [{ name: 'N', type: 'checkbox', options: { icon: 'check', color: 'greenBright' } }],
    },
    'INVALID_PRIMARY_FIELD_TYPE',
  ],
  [
    'duplicate field names',
    {
      name: 'T',
      fields: [
        { name: 'N', type: 'singleLineText' },
        { name: 'n', type: 'email' },
      ],
    },
    'DUPLICATE_OR_EMPTY_FIELD_NAME',
  ],
  ['no fields', { name: 'T', fields: [] }, 'INVALID_REQUEST_UNKNOWN'],
  [
    'an unknown field type',
    { name: 'T', fields: [{ name: 'N', type: 'hologram' }] },
    'INVALID_FIELD_TYPE',
  ],
])('create table with %s is 422 %s', async (_n, body, type) => {
  const res = await api('POST', 'tables', body);
  expect(res.status).toBe(422);
  expect(res.json.error?.type).toBe(type);
  expect((await api('GET', 'tables')).json.tables).toHaveLength(1);
});

test('update table, create and update fields', async () => {
  const things = ((await api('GET', 'tables')).json.tables as TableJson[])[0]!;
  const renamed = await api('PATCH', `tables/${things.id}`, { name: 'Items', description: 'New' });
  expect(renamed.json).toMatchObject({ name: 'Items', description: 'New' });
  expect((await api('PATCH', 'tables/Items', {})).status).toBe(422);
  const field = await api('POST', `tables/${things.id}/fields`, {
    name: 'When',
    type: 'date',
    options: { dateFormat: { name: 'iso' } },
  });
  expect(field.json).toMatchObject({
    name: 'When',
    type: 'date',
    options: { dateFormat: { name: 'iso', format: 'YYYY-MM-DD' } },
  });
  expect(
    (await api('POST', `tables/${things.id}/fields`, { name: 'when', type: 'email' })).json.error
      ?.type,
  ).toBe('DUPLICATE_OR_EMPTY_FIELD_NAME');
  const fid = (field.json as { id: string }).id;
  expect(
    (await api('PATCH', `tables/${things.id}/fields/${fid}`, { name: 'Due', description: 'd' }))
      .json,
  ).toMatchObject({ id: fid, name: 'Due', description: 'd' });
  expect((await api('PATCH', `tables/${things.id}/fields/${fid}`, { type: 'email' })).status).toBe(
    422,
  );
});

test('schema writes need schema.bases:write and "create" permission', async () => {
  const ro = fake.admin.createPat({ userId, scopes: ['schema.bases:read'], bases: 'all' }).token;
  const body = { name: 'T2', fields: [{ name: 'N', type: 'singleLineText' }] };
  expect((await api('POST', 'tables', body, ro)).json.error?.type).toBe(
    'INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND',
  );
  const editor = fake.admin.createUser({}).id;
  fake.admin.setCollaborator(baseId, { userId: editor, permissionLevel: 'edit' });
  const et = fake.admin.createPat({
    userId: editor,
    scopes: ['schema.bases:read', 'schema.bases:write'],
    bases: 'all',
  }).token;
  expect((await api('GET', 'tables', undefined, et)).status).toBe(200);
  const res = await api('POST', 'tables', body, et);
  expect(res).toMatchObject({ status: 403, json: { error: { type: 'INVALID_PERMISSIONS' } } });
});

describe('formula parser and evaluator', () => {
  const env = (fields: Record<string, FValue>) => ({
    field: (n: string) => fields[n] ?? null,
    recordId: 'recX',
    createdTime: '2024-01-01T00:00:00.000Z',
    lastModifiedTime: '2024-01-01T00:00:00.000Z',
    now: Date.parse('2025-06-01T12:00:00Z'),
  });
  const run = (src: string, fields: Record<string, FValue> = {}) =>
    evaluate(parseFormula(src), env(fields));

  test.each<[string, FValue]>([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['"a" & 1 + 1', 'a2'],
    ['-2 + 5', 3],
    ['1 + 1 = 2', true],
    ['"10" = 10', true],
    ['if(1, "yes")', 'yes'],
    ['IF(0, 1/0, "lazy")', 'lazy'],
    ['IF(0, 1)', null],
    ["SEARCH('z', 'abc')", null],
    ["FIND('c', 'abcabc', 4)", 6],
    ["MID('abcdef', 2, 3)", 'bcd'],
    ["SUBSTITUTE('a-b-c', '-', '+')", 'a+b+c'],
    ["LEFT('abc', 2) & RIGHT('abc', 1)", 'abc'],
    ['ROUND(2.345, 2)', 2.35],
    ['"tab\\there"', 'tab\there'],
    ['TODAY()', '2025-06-01'],
  ])('%s', (src, expected) => {
    expect(run(src)).toEqual(expected);
  });

  test('field references: braces with escaped }, bare names, arrays', () => {
    expect(run('{a \\} b} & x', { 'a } b': 'P', x: 'Q' })).toBe('PQ');
    expect(run("ARRAYJOIN({Tags}, '+')", { Tags: ['a', 'b'] })).toBe('a+b');
    expect(run('{Tags} = "a, b"', { Tags: ['a', 'b'] })).toBe(true);
    expect(run('RECORD_ID()')).toBe('recX');
  });

  test.each(['', '1 +', '(1', '"open', '{x', '1 2', 'FOO()', 'NOT()', '#'])(
    '%j does not parse',
    (src) => {
      expect(() => parseFormula(src)).toThrow();
    },
  );
});
