/**
 * dryRun on create_records, update_records and delete_records, through the SDK client over
 * InMemoryTransport against the strict fake: values checked against the table as Airtable checks
 * them (and the verdict agrees with what the fake then does for real), current and new values for
 * updates and upserts, the records a delete would remove - and never a write.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startToolHarness, type Json, type Rec, type ToolHarness } from '../helpers/mcp-memory';

let h: ToolHarness;
let mcp: Client;
let baseId: string;
let contactsId: string;
let acmeId: string;
const ids: Record<string, string> = {};

type Issue = { record: number; field?: string; problem: string };
type CreatePlan = {
  valid: boolean;
  wouldCreate: number;
  issues: Issue[];
  issueCount: number;
  effects: { field: string; effect: string }[];
  notChecked: string[];
  records: { index: number; fields: Json }[];
  notice?: string;
};
type UpdatePlan = Omit<CreatePlan, 'wouldCreate' | 'records'> & {
  wouldUpdate: number;
  wouldCreate: number;
  notFound: string[];
  records: {
    index: number;
    id?: string;
    action: 'update' | 'create';
    changes: { field: string; current: unknown; new: unknown }[];
    unchanged?: string[];
  }[];
};

/** Airtable's whole side of the base, to prove a dry run changed nothing. */
function snapshot(): string {
  const base = h.fake.admin.getBase(baseId);
  return JSON.stringify([base, base.tables.map((t) => h.fake.admin.listRecords(baseId, t.id))]);
}

/** Runs `fn` and checks that Airtable saw no write and nothing changed. */
async function readOnly<T>(fn: () => Promise<T>): Promise<T> {
  const before = snapshot();
  let out: T | undefined;
  const requests = await h.requestsDuring(async () => {
    out = await fn();
  });
  for (const family of Object.keys(requests))
    expect(['records.list', 'meta.tables', 'records.get']).toContain(family);
  expect(snapshot()).toBe(before);
  return out!;
}

beforeAll(async () => {
  h = await startToolHarness();
  const base = h.fake.admin.createBase({
    name: 'CRM',
    ownerUserIds: [h.userId],
    tables: [
      {
        name: 'Companies',
        fields: [{ name: 'Name', type: 'singleLineText' }],
        records: [{ fields: { Name: 'Acme' } }, { fields: { Name: 'Globex' } }],
      },
      {
        name: 'Contacts',
        fields: [
          { name: 'Name', type: 'singleLineText' },
          { name: 'Email', type: 'email' },
          { name: 'Age', type: 'number', options: { precision: 0 } },
          {
            name: 'Status',
            type: 'singleSelect',
            options: { choices: [{ name: 'Lead' }, { name: 'Customer' }] },
          },
          { name: 'Joined', type: 'date' },
          { name: 'VIP', type: 'checkbox' },
          { name: 'Company', type: 'multipleRecordLinks', options: { linkedTableId: 'Companies' } },
          { name: 'Label', type: 'formula', options: { formula: 'UPPER({Name})' } },
        ],
        records: [
          {
            fields: {
              Name: 'Ada',
              Email: 'ada@example.com',
              Age: 36,
              Status: 'Lead',
              Company: ['Acme'],
            },
          },
          {
            fields: {
              Name: 'Bob',
              Email: 'bob@example.com',
              Age: 41,
              Status: 'Customer',
              VIP: true,
            },
          },
          { fields: { Name: 'Twin', Email: 'twin1@example.com' } },
          { fields: { Name: 'Twin', Email: 'twin2@example.com' } },
        ],
      },
    ],
  });
  baseId = base.id;
  contactsId = base.tables.find((t) => t.name === 'Contacts')!.id;
  const companies = base.tables.find((t) => t.name === 'Companies')!.id;
  acmeId = h.fake.admin
    .listRecords(baseId, companies)
    .records.find((r) => r.fields.Name === 'Acme')!.id;
  for (const r of h.fake.admin.listRecords(baseId, contactsId).records)
    ids[String(r.fields.Email)] = r.id;
  mcp = await h.connect();
});

afterAll(async () => {
  await h?.close();
});

const create = (args: Json) =>
  h.ok<{ createdCount: number; records: Rec[]; dryRun?: CreatePlan }>(mcp, 'create_records', {
    baseId,
    table: 'Contacts',
    ...args,
  });
const update = (args: Json) =>
  h.ok<{ updatedCount: number; createdCount: number; dryRun?: UpdatePlan }>(mcp, 'update_records', {
    baseId,
    table: 'Contacts',
    ...args,
  });

describe('create_records dryRun', () => {
  it('a valid batch: what would be created, nothing written', async () => {
    const records = Array.from({ length: 12 }, (_, i) => ({
      fields: {
        Name: `New ${i}`,
        Age: i,
        Status: 'Lead',
        Joined: '2026-03-29',
        VIP: i % 2 === 0,
        Company: [acmeId],
      },
    }));
    const res = await readOnly(() => create({ records, dryRun: true }));
    expect(res.createdCount).toBe(0);
    expect(res.records).toEqual([]);
    expect(res.dryRun).toMatchObject({ valid: true, wouldCreate: 12, issues: [], issueCount: 0 });
    expect(res.dryRun!.records).toHaveLength(12);
    // The same call for real is accepted.
    expect((await create({ records })).createdCount).toBe(12);
  });

  it('finds what Airtable would refuse, per record and field, and says how far a real run gets', async () => {
    const fine = { Name: 'ok' };
    const records = [
      ...Array.from({ length: 12 }, () => ({ fields: fine })),
      { fields: { name: 'lowercase key' } },
      { fields: { Label: 'computed' } },
      { fields: { Age: 'forty' } },
      { fields: { Status: 'Partner' } },
      { fields: { Joined: '2026-02-30' } },
      { fields: { Company: ['Acme'] } },
      { fields: { Company: ['recAAAAAAAAAAAAAA'] } },
      { fields: { VIP: 'yes' } },
    ];
    const res = await readOnly(() => create({ records, dryRun: true }));
    const plan = res.dryRun!;
    expect(plan.valid).toBe(false);
    expect(plan.wouldCreate).toBe(0);
    expect(plan.issues.map((i) => [i.record, i.field])).toEqual([
      [12, 'name'],
      [13, 'Label'],
      [14, 'Age'],
      [15, 'Status'],
      [16, 'Joined'],
      [17, 'Company'],
      [18, 'Company'],
      [19, 'VIP'],
    ]);
    const problems = plan.issues.map((i) => i.problem);
    expect(problems[0]).toMatch(/UNKNOWN_FIELD_NAME.*did you mean "Name"/);
    expect(problems[1]).toMatch(/computed/);
    expect(problems[2]).toMatch(/expects a number.*typecast: true/);
    expect(problems[3]).toMatch(/INVALID_MULTIPLE_CHOICE_OPTIONS\); options: "Lead", "Customer"/);
    expect(problems[4]).toMatch(/not a date/);
    expect(problems[5]).toMatch(/not a record id/);
    expect(problems[6]).toMatch(
      /recAAAAAAAAAAAAAA does not exist in table "Companies".*ROW_DOES_NOT_EXIST/,
    );
    expect(plan.notice).toMatch(
      /refuse the request holding record 12 after 10 records were created/,
    );
    // What the fake (strict Airtable) does for real agrees: 10 created, then the batch is refused.
    const before = h.fake.admin.listRecords(baseId, contactsId).records.length;
    const text = await h.errText(mcp, 'create_records', { baseId, table: 'Contacts', records });
    expect(text).toContain('UNKNOWN_FIELD_NAME');
    expect(text).toMatch(/10 of 20 records were created/);
    expect(h.fake.admin.listRecords(baseId, contactsId).records.length).toBe(before + 10);
  });

  it('each refused value is refused by Airtable too', async () => {
    const cases: [Json, string][] = [
      [{ Nope: 1 }, 'UNKNOWN_FIELD_NAME'],
      [{ Age: 'x' }, 'INVALID_VALUE_FOR_COLUMN'],
      [{ Status: 'Partner' }, 'INVALID_MULTIPLE_CHOICE_OPTIONS'],
      [{ Company: ['recAAAAAAAAAAAAAA'] }, 'ROW_DOES_NOT_EXIST'],
      [{ Label: 'x' }, 'INVALID_VALUE_FOR_COLUMN'],
    ];
    for (const [fields, type] of cases) {
      const plan = (await create({ records: [{ fields }], dryRun: true })).dryRun!;
      expect({ fields, problem: plan.issues[0]?.problem.includes(type) }).toEqual({
        fields,
        problem: true,
      });
      expect(
        await h.errText(mcp, 'create_records', {
          baseId,
          table: 'Contacts',
          records: [{ fields }],
        }),
      ).toContain(type);
    }
  });

  it('with typecast: the options it would create and the records it would link by name', async () => {
    const plan = (
      await readOnly(() =>
        create({
          records: [
            {
              fields: {
                Name: 'Cast',
                Age: '42',
                Status: 'Partner',
                Company: 'Initech',
                VIP: 'yes',
              },
            },
          ],
          typecast: true,
          dryRun: true,
        }),
      )
    ).dryRun!;
    expect(plan.valid).toBe(true);
    expect(plan.effects).toEqual([
      { field: 'Status', effect: 'creates the select option "Partner"' },
      {
        field: 'Company',
        effect:
          'links the record named "Initech" (Airtable creates one with that name when none has it)',
      },
    ]);
  });

  it('needs the schema scope, and says so', async () => {
    const noSchema = await h.connect({ scopes: ['data.records:read', 'data.records:write'] });
    const text = await h.errText(noSchema, 'create_records', {
      baseId,
      table: 'Contacts',
      records: [{ fields: { Name: 'x' } }],
      dryRun: true,
    });
    expect(text).toMatch(/A dry run .* needs the table schema/);
    expect(text).toContain('schema.bases:read');
  });
});

describe('update_records dryRun', () => {
  it('current and new values, unchanged fields, unknown ids; nothing written', async () => {
    const res = await readOnly(() =>
      update({
        dryRun: true,
        records: [
          { id: ids['ada@example.com'], fields: { Age: 37, Status: 'Lead', Company: [] } },
          { id: 'recBBBBBBBBBBBBBB', fields: { Age: 1 } },
        ],
      }),
    );
    expect(res.updatedCount).toBe(0);
    const plan = res.dryRun!;
    expect(plan.notFound).toEqual(['recBBBBBBBBBBBBBB']);
    expect(plan.valid).toBe(false);
    expect(plan.issues[0]).toMatchObject({
      record: 1,
      problem: expect.stringMatching(/not in this table/),
    });
    expect(plan.records).toEqual([
      {
        index: 0,
        id: ids['ada@example.com'],
        action: 'update',
        changes: [
          { field: 'Age', current: 36, new: 37 },
          { field: 'Company', current: [acmeId], new: [] },
        ],
        unchanged: ['Status'],
      },
    ]);
  });

  it('replace mode lists the fields it would clear', async () => {
    const plan = (
      await readOnly(() =>
        update({
          dryRun: true,
          mode: 'replace',
          records: [{ id: ids['bob@example.com'], fields: { Name: 'Bob' } }],
        }),
      )
    ).dryRun!;
    expect(plan.valid).toBe(true);
    expect(plan.wouldUpdate).toBe(1);
    expect(plan.records[0]!.changes).toEqual([
      { field: 'Email', current: 'bob@example.com', new: null },
      { field: 'Age', current: 41, new: null },
      { field: 'Status', current: 'Customer', new: null },
      { field: 'VIP', current: true, new: null },
    ]);
    expect(plan.records[0]!.unchanged).toEqual(['Name']);
  });

  it('upsert: which records would be updated, created, or are ambiguous', async () => {
    const res = await readOnly(() =>
      update({
        dryRun: true,
        fieldsToMergeOn: ['Email'],
        records: [
          { fields: { Email: 'ada@example.com', Age: 40 } },
          { fields: { Email: 'new@example.com', Name: 'Newbie' } },
        ],
      }),
    );
    const plan = res.dryRun!;
    expect(plan).toMatchObject({ valid: true, wouldUpdate: 1, wouldCreate: 1 });
    expect(plan.records.map((r) => [r.action, r.id])).toEqual([
      ['update', ids['ada@example.com']],
      ['create', undefined],
    ]);
    expect(plan.records[1]!.changes).toEqual([
      { field: 'Email', current: null, new: 'new@example.com' },
      { field: 'Name', current: null, new: 'Newbie' },
    ]);
    const twins = (
      await update({
        dryRun: true,
        fieldsToMergeOn: ['Name'],
        records: [{ fields: { Name: 'Twin', Age: 3 } }],
      })
    ).dryRun!;
    expect(twins.valid).toBe(false);
    expect(twins.issues[0]!.problem).toMatch(/2 existing records match/);
    // The fake refuses that upsert for real too.
    expect(
      await h.errText(mcp, 'update_records', {
        baseId,
        table: 'Contacts',
        fieldsToMergeOn: ['Name'],
        records: [{ fields: { Name: 'Twin', Age: 3 } }],
      }),
    ).toMatch(/422/);
  });

  it('records without an id and no fieldsToMergeOn are refused before anything', async () => {
    expect(
      await h.errText(mcp, 'update_records', {
        baseId,
        table: 'Contacts',
        dryRun: true,
        records: [{ fields: {} }],
      }),
    ).toMatch(/no id/);
  });
});

describe('delete_records dryRun', () => {
  it('lists the records that would go and the ids that are not there; deletes nothing', async () => {
    const res = await readOnly(() =>
      h.ok<{
        deletedCount: number;
        dryRun?: { wouldDelete: number; notFound: string[]; records: Rec[]; notice?: string };
      }>(mcp, 'delete_records', {
        baseId,
        table: 'Contacts',
        recordIds: [ids['ada@example.com'], 'recCCCCCCCCCCCCCC'],
        dryRun: true,
      }),
    );
    expect(res.deletedCount).toBe(0);
    expect(res.dryRun!.records.map((r) => r.fields.Name)).toEqual(['Ada']);
    expect(res.dryRun!.notFound).toEqual(['recCCCCCCCCCCCCCC']);
    expect(res.dryRun!.wouldDelete).toBe(0);
    expect(res.dryRun!.notice).toMatch(/not records of this table/);
  });

  it('works with record access alone', async () => {
    const recordsOnly = await h.connect({ scopes: ['data.records:read', 'data.records:write'] });
    const res = await h.ok<{ dryRun?: { wouldDelete: number } }>(recordsOnly, 'delete_records', {
      baseId,
      table: 'Contacts',
      recordIds: [ids['bob@example.com']],
      dryRun: true,
    });
    expect(res.dryRun!.wouldDelete).toBe(1);
  });

  it('never tripped Airtable rate limits', () => {
    expect(h.fake.admin.stats().rateLimited.total).toBe(0);
  });
});
