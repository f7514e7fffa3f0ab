/**
 * Issue 13's reading and safety features through the MCP SDK's own Client over Streamable HTTP,
 * against the running bundle and the shared strict fake: a structured filter with a date in a
 * time zone beside a raw formula, cellFormat "string" (and its refusal without timeZone /
 * userLocale), returnFieldsByFieldId, search over a lookup, summaries grouped by a field, dry runs
 * that write nothing, and paged schema answers.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { fakeAdmin } from '../helpers/airtable';
import { connectWithBearer, errorText, ok, patUser, type Json } from './mcp-http-helpers';

type Rec = { id: string; createdTime: string; fields: Json };
type RecordList = { records: Rec[]; offset?: string; notice?: string };

let client: Client;
let baseId: string;
let tasksId: string;
let fieldIds: Record<string, string>;

beforeAll(async () => {
  const user = await patUser();
  const base = await fakeAdmin().createBase({
    name: 'HTTP reads',
    ownerUserIds: [user.userId],
    tables: [
      {
        name: 'Projects',
        fields: [
          { name: 'Name', type: 'singleLineText' },
          { name: 'Kickoff', type: 'dateTime' },
        ],
        records: [
          { fields: { Name: 'Apollo', Kickoff: '2026-03-29T06:30:00.000Z' } },
          { fields: { Name: 'Zephyr', Kickoff: '2026-03-28T23:30:00.000Z' } },
        ],
      },
      {
        name: 'Tasks',
        fields: [
          { name: 'Name', type: 'singleLineText' },
          { name: 'Hours', type: 'number', options: { precision: 0 } },
          { name: 'Project', type: 'multipleRecordLinks', options: { linkedTableId: 'Projects' } },
          {
            name: 'Project name',
            type: 'multipleLookupValues',
            options: { recordLinkFieldId: 'Project', fieldIdInLinkedTable: 'Name' },
          },
        ],
        records: [
          { fields: { Name: 'Spec', Hours: 3, Project: ['Apollo'] } },
          { fields: { Name: 'Build', Hours: 8, Project: ['Apollo'] } },
          { fields: { Name: 'Ship', Hours: 2, Project: ['Zephyr'] } },
        ],
      },
    ],
  });
  baseId = base.id;
  const tasks = base.tables.find((t) => t.name === 'Tasks')!;
  tasksId = tasks.id;
  fieldIds = Object.fromEntries(tasks.fields.map((f) => [f.name, f.id]));
  client = await connectWithBearer(user.session);
});

afterAll(async () => {
  await client?.close();
});

const names = (r: RecordList) => r.records.map((x) => x.fields.Name).sort();

it('a structured filter with a date in a time zone, and a raw formula beside it', async () => {
  const paris = await ok<RecordList>(client, 'list_records', {
    baseId,
    table: 'Projects',
    filter: { field: 'Kickoff', op: 'isOn', value: '2026-03-29', timeZone: 'Europe/Paris' },
  });
  expect(names(paris)).toEqual(['Apollo', 'Zephyr']);
  const both = await ok<RecordList>(client, 'list_records', {
    baseId,
    table: 'Projects',
    filter: { field: 'Kickoff', op: 'isOn', value: '2026-03-29', timeZone: 'Europe/Paris' },
    filterByFormula: '{Name} = "Zephyr"',
  });
  expect(names(both)).toEqual(['Zephyr']);
  expect(
    await errorText(client, 'list_records', {
      baseId,
      table: 'Tasks',
      filter: { field: 'Hours', op: '<', value: 'three' },
    }),
  ).toMatch(/filter\.value: "<" compares numbers/);
});

it('cellFormat "string" with timeZone and userLocale, refused without; fields by id', async () => {
  expect(
    await errorText(client, 'list_records', { baseId, table: 'Projects', cellFormat: 'string' }),
  ).toMatch(/needs both timeZone .* and userLocale/);
  const text = await ok<RecordList>(client, 'list_records', {
    baseId,
    table: 'Tasks',
    cellFormat: 'string',
    timeZone: 'UTC',
    userLocale: 'en-us',
    filter: { field: 'Name', op: '=', value: 'Spec' },
  });
  expect(text.records[0]!.fields).toMatchObject({ Name: 'Spec', Hours: '3', Project: 'Apollo' });
  const rec = await ok<Rec>(client, 'get_record', {
    baseId,
    table: tasksId,
    recordId: text.records[0]!.id,
    returnFieldsByFieldId: true,
  });
  expect(rec.fields[fieldIds.Hours!]).toBe(3);
});

it('search_records finds tasks by their project name only with includeLookups', async () => {
  const without = await ok<RecordList>(client, 'search_records', {
    baseId,
    table: 'Tasks',
    searchText: 'apollo',
  });
  expect(without.records).toEqual([]);
  const found = await ok<RecordList>(client, 'search_records', {
    baseId,
    table: 'Tasks',
    searchText: 'apollo',
    includeLookups: true,
  });
  expect(names(found)).toEqual(['Build', 'Spec']);
});

it('summarize_records groups by a lookup and reports its budget', async () => {
  const s = await ok<{
    complete: boolean;
    budget: { airtableRequests: number };
    groups: { label: string; count: number; metrics: { value: unknown }[] }[];
  }>(client, 'summarize_records', {
    baseId,
    table: 'Tasks',
    groupBy: 'Project name',
    metrics: [{ field: 'Hours', op: 'sum' }],
  });
  expect(s.complete).toBe(true);
  expect(s.budget.airtableRequests).toBe(1);
  expect(s.groups.map((g) => [g.label, g.count, g.metrics[0]!.value])).toEqual([
    ['Apollo', 2, 11],
    ['Zephyr', 1, 2],
  ]);
});

it('dry runs check and show what would change, and write nothing', async () => {
  const before = JSON.stringify((await fakeAdmin().listRecords(baseId, tasksId)).records);
  const created = await ok<{
    createdCount: number;
    dryRun: { valid: boolean; issues: { problem: string }[] };
  }>(client, 'create_records', {
    baseId,
    table: 'Tasks',
    dryRun: true,
    records: [{ fields: { Name: 'x', Hours: 'many' } }],
  });
  expect(created.createdCount).toBe(0);
  expect(created.dryRun.valid).toBe(false);
  expect(created.dryRun.issues[0]!.problem).toMatch(/expects a number/);
  const [spec] = (await fakeAdmin().listRecords(baseId, tasksId)).records.filter(
    (r) => r.fields.Name === 'Spec',
  );
  const updated = await ok<{
    dryRun: { records: { changes: { field: string; current: unknown; new: unknown }[] }[] };
  }>(client, 'update_records', {
    baseId,
    table: 'Tasks',
    dryRun: true,
    records: [{ id: spec!.id, fields: { Hours: 4 } }],
  });
  expect(updated.dryRun.records[0]!.changes).toEqual([{ field: 'Hours', current: 3, new: 4 }]);
  const deleted = await ok<{ deletedCount: number; dryRun: { wouldDelete: number } }>(
    client,
    'delete_records',
    {
      baseId,
      table: 'Tasks',
      dryRun: true,
      recordIds: [spec!.id],
    },
  );
  expect(deleted).toMatchObject({ deletedCount: 0, dryRun: { wouldDelete: 1 } });
  expect(JSON.stringify((await fakeAdmin().listRecords(baseId, tasksId)).records)).toBe(before);
});

it('describe_table and list_tables say how to continue (nothing to continue here)', async () => {
  const t = await ok<{ totalFields: number; nextOffset?: number }>(client, 'describe_table', {
    baseId,
    table: 'Tasks',
  });
  expect(t.totalFields).toBe(4);
  expect(t.nextOffset).toBeUndefined();
  const l = await ok<{ totalTables: number; nextOffset?: number }>(client, 'list_tables', {
    baseId,
  });
  expect(l.totalTables).toBe(2);
});
