/**
 * The fake Airtable's read rules added for issue 13 (airtable.com/developers/web/api/list-records,
 * get-record, field-model): cellFormat "string" needs timeZone and userLocale (422 otherwise),
 * get-record takes cellFormat / timeZone / userLocale / returnFieldsByFieldId but no fields[];
 * lookup and rollup fields (read-only, computed through links, visible to formulas); and the date
 * functions the structured-filter compiler emits (IS_BEFORE, IS_AFTER, DATETIME_PARSE).
 */
import { startFakeAirtable, type FakeAirtable } from '../../fake-airtable/server';

let fake: FakeAirtable;
let token: string;
let baseId: string;
let taskIds: Record<string, string>;

beforeAll(async () => {
  fake = await startFakeAirtable({ port: 0 });
  fake.admin.setConfig({ rateLimitEnabled: false });
  const userId = fake.admin.createUser({ email: 'o@example.com' }).id;
  token = fake.admin.createPat({
    userId,
    scopes: ['data.records:read', 'data.records:write', 'schema.bases:read', 'schema.bases:write'],
    bases: 'all',
  }).token;
  const base = fake.admin.createBase({
    name: 'Reads',
    ownerUserIds: [userId],
    tables: [
      {
        name: 'Projects',
        fields: [
          { name: 'Name', type: 'singleLineText' },
          { name: 'Budget', type: 'number', options: { precision: 0 } },
          { name: 'Start', type: 'dateTime' },
        ],
        records: [
          { fields: { Name: 'Apollo', Budget: 1000, Start: '2026-03-29T06:30:00.000Z' } },
          { fields: { Name: 'Zephyr', Budget: 500, Start: '2026-03-28T23:30:00.000Z' } },
        ],
      },
      {
        name: 'Tasks',
        fields: [
          { name: 'Name', type: 'singleLineText' },
          { name: 'Due', type: 'date' },
          { name: 'Projects', type: 'multipleRecordLinks', options: { linkedTableId: 'Projects' } },
          {
            name: 'Project names',
            type: 'multipleLookupValues',
            options: { recordLinkFieldId: 'Projects', fieldIdInLinkedTable: 'Name' },
          },
          {
            name: 'Total budget',
            type: 'rollup',
            options: {
              recordLinkFieldId: 'Projects',
              fieldIdInLinkedTable: 'Budget',
              formula: 'SUM(values)',
            },
          },
          {
            name: 'First start',
            type: 'rollup',
            options: {
              recordLinkFieldId: 'Projects',
              fieldIdInLinkedTable: 'Start',
              formula: 'MIN(values)',
            },
          },
        ],
        records: [
          { fields: { Name: 'Both', Due: '2026-03-29', Projects: ['Apollo', 'Zephyr'] } },
          { fields: { Name: 'One', Due: '2026-04-01', Projects: ['Zephyr'] } },
          { fields: { Name: 'None' } },
        ],
      },
    ],
  });
  baseId = base.id;
  const tasks = base.tables.find((t) => t.name === 'Tasks')!.id;
  taskIds = Object.fromEntries(
    fake.admin.listRecords(baseId, tasks).records.map((r) => [String(r.fields.Name), r.id]),
  );
});

afterAll(() => fake.stop());

async function get(
  path: string,
  query = '',
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${fake.url}/v0/${baseId}/${path}${query ? `?${query}` : ''}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

type Rec = { id: string; fields: Record<string, unknown> };
const records = (r: { json: Record<string, unknown> }) => r.json.records as Rec[];
const errorType = (r: { json: Record<string, unknown> }) =>
  (r.json.error as { type?: string }).type;

describe('lookups and rollups', () => {
  it('read through links as JSON, and are typed in the schema', async () => {
    const both = await get(`Tasks/${taskIds.Both}`);
    expect(both.json.fields).toMatchObject({
      'Project names': ['Apollo', 'Zephyr'],
      'Total budget': 1500,
      'First start': '2026-03-28T23:30:00.000Z',
    });
    const none = await get(`Tasks/${taskIds.None}`);
    // An empty lookup is left out; a rollup of nothing is 0, as SUM() of nothing.
    expect(Object.keys(none.json.fields as object).sort()).toEqual(['Name', 'Total budget']);
    const schema = await fetch(`${fake.url}/v0/meta/bases/${baseId}/tables`, {
      headers: { Authorization: `Bearer ${token}` },
    }).then(
      (r) =>
        r.json() as Promise<{
          tables: {
            name: string;
            fields: { name: string; type: string; options?: { result?: { type: string } } }[];
          }[];
        }>,
    );
    const fields = schema.tables.find((t) => t.name === 'Tasks')!.fields;
    expect(fields.find((f) => f.name === 'Project names')).toMatchObject({
      type: 'multipleLookupValues',
      options: { result: { type: 'singleLineText' } },
    });
    expect(fields.find((f) => f.name === 'Total budget')).toMatchObject({
      type: 'rollup',
      options: { result: { type: 'number' } },
    });
    expect(fields.find((f) => f.name === 'First start')).toMatchObject({
      options: { result: { type: 'dateTime' } },
    });
  });

  it('are visible to formulas and cannot be written', async () => {
    const found = await get(
      'Tasks',
      `filterByFormula=${encodeURIComponent('SEARCH("zephyr", LOWER({Project names} & ""))')}`,
    );
    expect(
      records(found)
        .map((r) => r.fields.Name)
        .sort(),
    ).toEqual(['Both', 'One']);
    const big = await get('Tasks', `filterByFormula=${encodeURIComponent('{Total budget} > 600')}`);
    expect(records(big).map((r) => r.fields.Name)).toEqual(['Both']);
    const res = await fetch(`${fake.url}/v0/${baseId}/Tasks`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ records: [{ fields: { Name: 'x', 'Total budget': 3 } }] }),
    });
    expect(res.status).toBe(422);
  });

  it('cannot be created through the Web API', async () => {
    const tasks = (await get('Tasks')).json; // warm
    expect(tasks).toBeDefined();
    const res = await fetch(`${fake.url}/v0/meta/bases/${baseId}/tables`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        name: 'L',
        fields: [
          { name: 'N', type: 'singleLineText' },
          { name: 'L', type: 'rollup', options: {} },
        ],
      }),
    });
    expect(res.status).toBe(422);
  });
});

describe('date functions', () => {
  const filter = (formula: string) =>
    get('Tasks', `filterByFormula=${encodeURIComponent(formula)}`).then((r) =>
      records(r)
        .map((x) => x.fields.Name)
        .sort(),
    );

  it('IS_BEFORE / IS_AFTER on date fields (midnight GMT) and DATETIME_PARSE of ISO text', async () => {
    expect(await filter('IS_BEFORE({Due}, DATETIME_PARSE("2026-03-30"))')).toEqual(['Both']);
    expect(await filter('IS_AFTER({Due}, DATETIME_PARSE("2026-03-29T23:59:59.000Z"))')).toEqual([
      'One',
    ]);
    // A blank date is #ERROR! in a date function: the record does not match.
    expect(await filter('NOT(IS_BEFORE({Due}, DATETIME_PARSE("2000-01-01")))')).toEqual([
      'Both',
      'One',
    ]);
    expect(await filter('IS_SAME({Due}, "2026-04-01", "days")')).toEqual(['One']);
    expect(await filter('DATETIME_DIFF("2026-04-01", {Due}, "days") = 3')).toEqual(['Both']);
  });

  it('unsupported forms are errors, not matches', async () => {
    expect(await filter('IS_BEFORE({Due}, "next tuesday")')).toEqual([]);
    expect(await filter('DATETIME_PARSE("1/4/2026", "D/M/YYYY") = ""')).toEqual([]);
    const bad = await get('Tasks', `filterByFormula=${encodeURIComponent('IS_BEFORE({Due})')}`);
    expect(errorType(bad)).toBe('INVALID_FILTER_BY_FORMULA');
  });
});

describe('cellFormat, timeZone, userLocale', () => {
  it('cellFormat=string needs both timeZone and userLocale, on lists and on one record', async () => {
    for (const q of [
      'cellFormat=string',
      'cellFormat=string&timeZone=UTC',
      'cellFormat=string&userLocale=fr',
    ]) {
      const list = await get('Projects', q);
      expect([list.status, errorType(list)]).toEqual([422, 'INVALID_REQUEST_UNKNOWN']);
      const one = await get(`Tasks/${taskIds.Both}`, q);
      expect([one.status, errorType(one)]).toEqual([422, 'INVALID_REQUEST_UNKNOWN']);
    }
  });

  it('refuses unknown time zones and malformed locales', async () => {
    for (const q of [
      'cellFormat=string&timeZone=Mars%2FBase&userLocale=fr',
      'cellFormat=string&timeZone=UTC&userLocale=not%20a%20locale',
    ]) {
      const r = await get('Projects', q);
      expect([r.status, errorType(r)]).toEqual([422, 'INVALID_REQUEST_UNKNOWN']);
    }
  });

  it('shows date-times in the time zone asked for', async () => {
    const paris = await get(
      'Projects',
      'cellFormat=string&timeZone=Europe%2FParis&userLocale=fr&fields%5B%5D=Start&fields%5B%5D=Name',
    );
    expect(records(paris).map((r) => r.fields)).toEqual([
      { Name: 'Apollo', Start: '2026-03-29 08:30' },
      { Name: 'Zephyr', Start: '2026-03-29 00:30' },
    ]);
    const one = await get(
      `Tasks/${taskIds.Both}`,
      'cellFormat=string&timeZone=America%2FLos_Angeles&userLocale=en-us&returnFieldsByFieldId=true',
    );
    expect(Object.keys(one.json.fields as object).every((k) => k.startsWith('fld'))).toBe(true);
    expect(Object.values(one.json.fields as object)).toContain('Apollo, Zephyr');
  });

  it('get-record has no fields[] parameter', async () => {
    const r = await get(`Tasks/${taskIds.Both}`, 'fields%5B%5D=Name');
    expect([r.status, errorType(r)]).toEqual([422, 'INVALID_REQUEST_UNKNOWN']);
  });
});
