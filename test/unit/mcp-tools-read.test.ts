/**
 * Reading records the way people ask, through the SDK client over InMemoryTransport against the
 * strict fake: structured filters (with dates in time zones, lookups, field ids) beside raw
 * formulas, sort / fields / view, cellFormat "string" with its required timeZone and userLocale,
 * returnFieldsByFieldId, search over lookups and rollups, and the clear refusals.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { addDays, dayOf, formatDay } from '../../cloud/airtable/zoned-time';
import { startToolHarness, type Json, type Rec, type ToolHarness } from '../helpers/mcp-memory';

let h: ToolHarness;
let mcp: Client;
let baseId: string;
let tasksId: string;
let fieldIds: Record<string, string>;
const twoDaysAgo = formatDay(addDays(dayOf(Date.now(), 'UTC'), -2));

type RecordList = { records: Rec[]; offset?: string; notice?: string };
const names = (r: RecordList) => r.records.map((x) => x.fields.Name).sort();

beforeAll(async () => {
  h = await startToolHarness();
  const base = h.fake.admin.createBase({
    name: 'Work',
    ownerUserIds: [h.userId],
    tables: [
      {
        name: 'Projects',
        fields: [
          { name: 'Name', type: 'singleLineText' },
          { name: 'Budget', type: 'currency', options: { precision: 2, symbol: '$' } },
          { name: 'Kickoff', type: 'dateTime' },
          {
            name: 'Tags',
            type: 'multipleSelects',
            options: { choices: [{ name: 'urgent' }, { name: 'internal' }, { name: 'client' }] },
          },
        ],
        records: [
          {
            fields: {
              Name: 'Apollo',
              Budget: 1000,
              Kickoff: '2026-03-29T06:30:00.000Z',
              Tags: ['urgent', 'client'],
            },
          },
          {
            fields: {
              Name: 'Zeph "Z" {yr}',
              Budget: 500,
              Kickoff: '2026-03-28T23:30:00.000Z',
              Tags: ['internal'],
            },
          },
        ],
      },
      {
        name: 'Tasks',
        fields: [
          { name: 'Name', type: 'singleLineText' },
          {
            name: 'Status',
            type: 'singleSelect',
            options: { choices: [{ name: 'Todo' }, { name: 'Doing' }, { name: 'Done' }] },
          },
          { name: 'Hours', type: 'number', options: { precision: 1 } },
          { name: 'Done', type: 'checkbox' },
          { name: 'Due', type: 'date' },
          {
            name: 'Project',
            type: 'multipleRecordLinks',
            options: { linkedTableId: 'Projects', inverseFieldName: 'Tasks' },
          },
          {
            name: 'Project name',
            type: 'multipleLookupValues',
            options: { recordLinkFieldId: 'Project', fieldIdInLinkedTable: 'Name' },
          },
          {
            name: 'Project budget',
            type: 'rollup',
            options: {
              recordLinkFieldId: 'Project',
              fieldIdInLinkedTable: 'Budget',
              formula: 'SUM(values)',
            },
          },
        ],
        views: [
          { name: 'All', type: 'grid' },
          { name: 'Open', type: 'grid', filterByFormula: '{Status} != "Done"' },
        ],
        records: [
          {
            fields: {
              Name: 'Write spec',
              Status: 'Done',
              Hours: 3,
              Done: true,
              Due: '2026-03-10',
              Project: ['Apollo'],
            },
          },
          {
            fields: {
              Name: 'Build',
              Status: 'Doing',
              Hours: 8,
              Due: '2026-03-20',
              Project: ['Apollo'],
            },
          },
          {
            fields: {
              Name: 'Test',
              Status: 'Todo',
              Hours: 5,
              Due: '2026-04-01',
              Project: ['Apollo'],
            },
          },
          { fields: { Name: 'Ship', Status: 'Todo', Project: ['Zeph "Z" {yr}'] } },
          {
            fields: {
              Name: 'Review "quotes" \\ back',
              Status: 'Done',
              Hours: 1.5,
              Done: true,
              Due: '2026-03-29',
              Project: ['Zeph "Z" {yr}'],
            },
          },
          { fields: { Name: 'Plan', Status: 'Done', Hours: 2, Due: '2026-03-31' } },
          { fields: { Name: 'Recent', Status: 'Doing', Hours: 0, Due: twoDaysAgo } },
        ],
      },
    ],
  });
  baseId = base.id;
  const tasks = base.tables.find((t) => t.name === 'Tasks')!;
  tasksId = tasks.id;
  fieldIds = Object.fromEntries(tasks.fields.map((f) => [f.name, f.id]));
  mcp = await h.connect();
});

afterAll(async () => {
  await h?.close();
});

const list = (args: Json) =>
  h.ok<RecordList>(mcp, 'list_records', { baseId, table: 'Tasks', ...args });

describe('list_records: structured filters', () => {
  it('and / or / not over selects, numbers and checkboxes', async () => {
    expect(
      names(
        await list({
          filter: {
            and: [
              { field: 'Status', op: '=', value: 'done' },
              {
                or: [
                  { field: 'Hours', op: '>=', value: 3 },
                  { not: { field: 'Done', op: '=', value: true } },
                ],
              },
            ],
          },
        }),
      ),
    ).toEqual(['Plan', 'Write spec']);
    expect(names(await list({ filter: { field: 'Hours', op: 'isEmpty' } }))).toEqual(['Ship']);
    // An empty cell is not "< 1": only the record whose Hours is 0.
    expect(names(await list({ filter: { field: 'Hours', op: '<', value: 1 } }))).toEqual([
      'Recent',
    ]);
    expect(
      names(await list({ filter: { field: 'Status', op: 'isNoneOf', value: ['Done', 'Todo'] } })),
    ).toEqual(['Build', 'Recent']);
  });

  it('values with quotes, backslashes and braces are literal; lookups match by item', async () => {
    expect(
      names(await list({ filter: { field: 'Name', op: 'contains', value: '"quotes" \\ b' } })),
    ).toEqual(['Review "quotes" \\ back']);
    expect(
      names(
        await list({ filter: { field: 'Project name', op: 'hasAnyOf', value: ['zeph "z" {yr}'] } }),
      ),
    ).toEqual(['Review "quotes" \\ back', 'Ship']);
    expect(
      names(await list({ filter: { field: 'Name', op: '=', value: '") , TRUE(), ("' } })),
    ).toEqual([]);
  });

  it('with filterByFormula too, records must match both', async () => {
    const both = await list({
      filter: { field: 'Status', op: '=', value: 'Done' },
      filterByFormula: '{Hours} < 3',
    });
    expect(names(both)).toEqual(['Plan', 'Review "quotes" \\ back']);
  });

  it('dates: date-time fields by the local day of the time zone, date fields by their day', async () => {
    const projects = (args: Json) =>
      h.ok<RecordList>(mcp, 'list_records', { baseId, table: 'Projects', ...args });
    const on = (timeZone: string, value: string) =>
      projects({ filter: { field: 'Kickoff', op: 'isOn', value, timeZone } }).then(names);
    expect(await on('Europe/Paris', '2026-03-29')).toEqual(['Apollo', 'Zeph "Z" {yr}']);
    expect(await on('UTC', '2026-03-29')).toEqual(['Apollo']);
    expect(await on('America/Los_Angeles', '2026-03-29')).toEqual([]);
    expect(await on('America/Los_Angeles', '2026-03-28')).toEqual(['Apollo', 'Zeph "Z" {yr}']);
    // A date field has no time zone: the same days in every zone.
    for (const timeZone of ['Pacific/Kiritimati', 'America/Los_Angeles'])
      expect(
        names(
          await list({
            filter: { field: 'Due', op: 'isOnOrAfter', value: '2026-03-29', timeZone },
          }),
        ).filter((n) => n !== 'Recent'),
      ).toEqual(['Plan', 'Review "quotes" \\ back', 'Test']);
    const recent = await list({
      filter: { field: 'Due', op: 'isWithin', value: 'pastWeek', timeZone: 'UTC' },
    });
    expect(names(recent)).toEqual(['Recent']);
    const ahead = await list({
      filter: { field: 'Due', op: 'isWithin', value: 'nextNumberOfDays', days: 3, timeZone: 'UTC' },
    });
    expect(names(ahead)).not.toContain('Recent');
  });

  it('field ids work in filters (resolved with the schema)', async () => {
    const got = await list({ filter: { field: fieldIds.Status!, op: '=', value: 'Doing' } });
    expect(names(got)).toEqual(['Build', 'Recent']);
  });

  it('refuses bad filters clearly, before Airtable sees a formula', async () => {
    const cases: [Json, RegExp][] = [
      [{ field: 'Hours', op: '>', value: 'three' }, /filter\.value: ">" compares numbers/],
      [
        { and: [{ field: 'Due', op: 'isOn', value: '2026-02-30', timeZone: 'UTC' }] },
        /filter\.and\[0\]\.value: "2026-02-30" is not a date/,
      ],
      [
        { field: 'Name', op: 'isOn', value: 'today', timeZone: 'UTC' },
        /field "Name" is a singleLineText field; date conditions need/,
      ],
      [
        { field: 'Due', op: 'isOn', value: 'today' },
        /filter\.timeZone: date conditions need "timeZone"/,
      ],
      [{ field: 'Nope', op: 'isOn', value: 'today', timeZone: 'UTC' }, /No field "Nope"/],
      [{ field: 'Status', op: 'isEmpty', value: 'x' }, /takes no value/],
    ];
    for (const [filter, re] of cases) {
      const before = h.fake.admin.stats().apiRequests['records.list'] ?? 0;
      expect(await h.errText(mcp, 'list_records', { baseId, table: 'Tasks', filter })).toMatch(re);
      expect(h.fake.admin.stats().apiRequests['records.list'] ?? 0).toBe(before);
    }
    // Malformed trees are refused by the input schema itself.
    expect(
      await h.errText(mcp, 'list_records', {
        baseId,
        table: 'Tasks',
        filter: { field: 'A', op: 'like' },
      }),
    ).toMatch(/Invalid arguments|op/);
    expect(
      await h.errText(mcp, 'list_records', {
        baseId,
        table: 'Tasks',
        filter: { field: 'A', op: 'isEmpty', extra: 1 },
      }),
    ).toMatch(/Invalid arguments|extra/);
    expect(
      await h.errText(mcp, 'list_records', {
        baseId,
        table: 'Tasks',
        filterByFormula: 'TRUE()) + (TRUE()',
      }),
    ).toMatch(/unbalanced parentheses/);
  });

  it('date conditions without the schema scope say which scope to grant', async () => {
    const noSchema = await h.connect({ scopes: ['data.records:read'] });
    const text = await h.errText(noSchema, 'list_records', {
      baseId,
      table: 'Tasks',
      filter: { field: 'Due', op: 'isOn', value: 'today', timeZone: 'UTC' },
    });
    expect(text).toContain('schema.bases:read');
    expect(text).toMatch(/date conditions/);
    // Conditions that need no schema work with records access alone.
    const ok = await h.ok<RecordList>(noSchema, 'list_records', {
      baseId,
      table: 'Tasks',
      filter: { field: 'Status', op: '=', value: 'Doing' },
    });
    expect(names(ok)).toEqual(['Build', 'Recent']);
  });
});

describe('list_records: sort, fields, view and formats', () => {
  it('sort, a field projection and a view', async () => {
    const got = await list({
      view: 'Open',
      sort: [{ field: 'Hours', direction: 'desc' }],
      fields: ['Name', 'Hours'],
    });
    expect(got.records.map((r) => r.fields.Name)).toEqual(['Build', 'Test', 'Recent', 'Ship']);
    expect(Object.keys(got.records[0]!.fields).sort()).toEqual(['Hours', 'Name']);
    expect(await h.errText(mcp, 'list_records', { baseId, table: 'Tasks', view: 'Nope' })).toMatch(
      /VIEW_NAME_NOT_FOUND/,
    );
  });

  it('cellFormat "string" needs timeZone and userLocale, and shows text', async () => {
    for (const extra of [{}, { timeZone: 'Europe/Paris' }, { userLocale: 'fr' }]) {
      const text = await h.errText(mcp, 'list_records', {
        baseId,
        table: 'Projects',
        cellFormat: 'string',
        ...extra,
      });
      expect(text).toMatch(/needs both timeZone .* and userLocale/);
    }
    expect(
      await h.errText(mcp, 'list_records', {
        baseId,
        table: 'Projects',
        cellFormat: 'string',
        timeZone: 'Mars/Base',
        userLocale: 'fr',
      }),
    ).toMatch(/not an IANA time zone/);
    expect(
      await h.errText(mcp, 'list_records', { baseId, table: 'Projects', timeZone: 'UTC' }),
    ).toMatch(/only apply with cellFormat "string"/);
    const got = await h.ok<RecordList>(mcp, 'list_records', {
      baseId,
      table: 'Projects',
      cellFormat: 'string',
      timeZone: 'Europe/Paris',
      userLocale: 'fr',
      sort: [{ field: 'Name' }],
    });
    expect(got.records[0]!.fields).toMatchObject({
      Name: 'Apollo',
      Budget: '$1,000.00',
      Kickoff: '2026-03-29 08:30',
      Tags: 'urgent, client',
    });
    const tasks = await list({
      cellFormat: 'string',
      timeZone: 'UTC',
      userLocale: 'en-us',
      fields: ['Name', 'Project'],
      filter: { field: 'Name', op: '=', value: 'Build' },
    });
    expect(tasks.records[0]!.fields.Project).toBe('Apollo');
  });

  it('returnFieldsByFieldId keys cells by field id', async () => {
    const got = await list({
      returnFieldsByFieldId: true,
      filter: { field: 'Name', op: '=', value: 'Build' },
    });
    expect(got.records[0]!.fields).toMatchObject({
      [fieldIds.Name!]: 'Build',
      [fieldIds.Hours!]: 8,
    });
  });
});

describe('get_record', () => {
  it('as typed values, as text, by field id', async () => {
    const [first] = (await list({ filter: { field: 'Name', op: '=', value: 'Write spec' } }))
      .records;
    const id = first!.id;
    const typed = await h.ok<Rec>(mcp, 'get_record', { baseId, table: tasksId, recordId: id });
    expect(typed.fields).toMatchObject({
      Hours: 3,
      Done: true,
      'Project name': ['Apollo'],
      'Project budget': 1000,
    });
    const text = await h.ok<Rec>(mcp, 'get_record', {
      baseId,
      table: tasksId,
      recordId: id,
      cellFormat: 'string',
      timeZone: 'UTC',
      userLocale: 'en-us',
      returnFieldsByFieldId: true,
    });
    expect(text.fields[fieldIds.Done!]).toBe('checked');
    expect(text.fields[fieldIds.Project!]).toBe('Apollo');
    expect(
      await h.errText(mcp, 'get_record', {
        baseId,
        table: tasksId,
        recordId: id,
        cellFormat: 'string',
      }),
    ).toMatch(/needs both timeZone/);
  });
});

describe('search_records', () => {
  it('searches lookups, rollups and links only when asked', async () => {
    const plain = await h.ok<RecordList & { searchedFields: string[] }>(mcp, 'search_records', {
      baseId,
      table: 'Tasks',
      searchText: 'apollo',
    });
    expect(plain.records).toEqual([]);
    expect(plain.searchedFields).toEqual(['Name', 'Status']);
    const deep = await h.ok<RecordList & { searchedFields: string[] }>(mcp, 'search_records', {
      baseId,
      table: 'Tasks',
      searchText: 'apollo',
      includeLookups: true,
      sort: [{ field: 'Hours', direction: 'desc' }],
      fields: ['Name'],
    });
    expect(deep.records.map((r) => r.fields.Name)).toEqual(['Build', 'Test', 'Write spec']);
    expect(deep.searchedFields).toEqual([
      'Name',
      'Status',
      'Project',
      'Project name',
      'Project budget',
    ]);
    // A rollup reads as its value: 1000 is Apollo's budget.
    const byBudget = await h.ok<RecordList>(mcp, 'search_records', {
      baseId,
      table: 'Tasks',
      searchText: '1000',
      includeLookups: true,
      filter: { field: 'Status', op: '=', value: 'Done' },
    });
    expect(names(byBudget)).toEqual(['Write spec']);
    expect(
      await h.errText(mcp, 'search_records', {
        baseId,
        table: 'Tasks',
        searchText: 'x',
        searchFields: ['Name'],
        includeLookups: true,
      }),
    ).toMatch(/includeLookups applies when searchFields is omitted/);
  });
});
