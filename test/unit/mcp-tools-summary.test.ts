/**
 * summarize_records and the context budget, through the SDK client over InMemoryTransport
 * against the strict fake: totals and groups over every matching record, the record and time
 * budgets reported (and said to cut the scan short), and every tool that can return a lot kept
 * under the connection's size limit with a continuation that loses nothing.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startToolHarness, type Json, type ToolHarness } from '../helpers/mcp-memory';

let h: ToolHarness;
let mcp: Client;
let baseId: string;

type Metric = {
  field: string;
  op: string;
  value: number | string | null;
  valuesUsed: number;
  valuesSkipped?: number;
};
type Summary = {
  complete: boolean;
  stoppedBecause?: string;
  scannedRecords: number;
  budget: { maxRecords: number; maxSeconds: number; airtableRequests: number; elapsedMs: number };
  totals: { count: number; metrics: Metric[] };
  groupBy?: string;
  groups?: { value: unknown; label: string; count: number; metrics: Metric[] }[];
  totalGroups?: number;
  nextOffset?: number;
  notice?: string;
};

const STATUSES = ['Todo', 'Doing', 'Done', 'Blocked'];

beforeAll(async () => {
  h = await startToolHarness();
  // 250 orders: Amount i (i = 0..249), Status cycles through four values, every 10th has no
  // Amount, Placed on a day of March 2026, Region a select with a name per 50.
  const base = h.fake.admin.createBase({
    name: 'Sales',
    ownerUserIds: [h.userId],
    tables: [
      {
        name: 'Orders',
        fields: [
          { name: 'Name', type: 'singleLineText' },
          { name: 'Amount', type: 'currency', options: { precision: 2, symbol: '$' } },
          {
            name: 'Status',
            type: 'singleSelect',
            options: { choices: STATUSES.map((name) => ({ name })) },
          },
          { name: 'Placed', type: 'date' },
          { name: 'Note', type: 'multilineText' },
        ],
        records: Array.from({ length: 250 }, (_, i) => ({
          fields: {
            Name: `Order ${i}`,
            ...(i % 10 === 0 ? {} : { Amount: i }),
            Status: STATUSES[i % 4],
            Placed: `2026-03-${String((i % 28) + 1).padStart(2, '0')}`,
            Note: i % 2 ? 'x' : 'y',
          },
        })),
      },
    ],
  });
  baseId = base.id;
  mcp = await h.connect();
});

afterAll(async () => {
  await h?.close();
});

const summarize = (args: Json, c: Client = mcp) =>
  h.ok<Summary>(c, 'summarize_records', { baseId, table: 'Orders', ...args });

/** The expected figures, computed from the fixture directly. */
function expected(pick: (i: number) => boolean) {
  const rows = Array.from({ length: 250 }, (_, i) => i).filter(pick);
  const amounts = rows.filter((i) => i % 10 !== 0);
  const sum = amounts.reduce((a, b) => a + b, 0);
  return {
    count: rows.length,
    sum,
    avg: Number((sum / amounts.length).toPrecision(15)),
    n: amounts.length,
    min: Math.min(...amounts),
    max: Math.max(...amounts),
  };
}

describe('summarize_records', () => {
  it('totals every record over several Airtable pages', async () => {
    let s: Summary | undefined;
    const requests = await h.requestsDuring(async () => {
      s = await summarize({
        metrics: [
          { field: 'Amount', op: 'sum' },
          { field: 'Amount', op: 'avg' },
          { field: 'Amount', op: 'min' },
          { field: 'Amount', op: 'max' },
          { field: 'Amount', op: 'countEmpty' },
          { field: 'Placed', op: 'min' },
          { field: 'Placed', op: 'max' },
          { field: 'Note', op: 'countUnique' },
        ],
      });
    });
    const e = expected(() => true);
    expect(s).toMatchObject({ complete: true, scannedRecords: 250, totals: { count: 250 } });
    expect(s!.stoppedBecause).toBeUndefined();
    expect(s!.budget).toMatchObject({ maxRecords: 10_000, maxSeconds: 25, airtableRequests: 3 });
    expect(requests).toEqual({ 'records.list': 3 });
    expect(s!.totals.metrics.map((m) => [m.op, m.field, m.value, m.valuesUsed])).toEqual([
      ['sum', 'Amount', e.sum, e.n],
      ['avg', 'Amount', e.avg, e.n],
      ['min', 'Amount', e.min, e.n],
      ['max', 'Amount', e.max, e.n],
      ['countEmpty', 'Amount', 25, 250],
      ['min', 'Placed', '2026-03-01', 250],
      ['max', 'Placed', '2026-03-28', 250],
      ['countUnique', 'Note', 2, 250],
    ]);
  });

  it('groups by a field, largest first, with a filter', async () => {
    const s = await summarize({
      groupBy: 'Status',
      metrics: [{ field: 'Amount', op: 'sum' }],
      filter: { field: 'Amount', op: '>=', value: 100 },
    });
    expect(s.complete).toBe(true);
    expect(s.groupBy).toBe('Status');
    expect(s.totalGroups).toBe(4);
    const byStatus = Object.fromEntries(
      s.groups!.map((g) => [g.label, [g.count, g.metrics[0]!.value]]),
    );
    for (const [k, status] of STATUSES.entries()) {
      const e = expected((i) => i >= 100 && i % 10 !== 0 && i % 4 === k);
      expect(byStatus[status]).toEqual([e.count, e.sum]);
    }
    const counts = s.groups!.map((g) => g.count);
    expect([...counts].sort((a, b) => b - a)).toEqual(counts);
  });

  it('a metric over text says what it skipped; empty cells form their own group', async () => {
    const s = await summarize({
      groupBy: 'Amount',
      metrics: [{ field: 'Note', op: 'sum' }],
      maxRecords: 30,
    });
    expect(s.totals.metrics[0]).toMatchObject({ value: null, valuesUsed: 0, valuesSkipped: 30 });
    expect(s.groups!.find((g) => g.value === null)).toMatchObject({ label: '(empty)', count: 3 });
  });

  it('stops at the record budget and says the figures are partial', async () => {
    const s = await summarize({ maxRecords: 120, metrics: [{ field: 'Amount', op: 'sum' }] });
    const e = expected((i) => i < 120);
    expect(s).toMatchObject({ complete: false, stoppedBecause: 'maxRecords', scannedRecords: 120 });
    expect(s.budget.airtableRequests).toBe(2);
    expect(s.totals).toMatchObject({ count: 120, metrics: [{ value: e.sum }] });
    expect(s.notice).toMatch(
      /Incomplete: stopped after 120 records because the record budget \(120\)/,
    );
  });

  it('stops at the time budget, even in the middle of a slow Airtable request', async () => {
    // A base of its own: the request given up on still reaches the fake later, and counts there.
    const slow = h.fake.admin.createBase({
      name: 'Slow',
      ownerUserIds: [h.userId],
      tables: [
        {
          name: 'Orders',
          fields: [{ name: 'Name', type: 'singleLineText' }],
          records: Array.from({ length: 250 }, (_, i) => ({ fields: { Name: `Order ${i}` } })),
        },
      ],
    });
    h.fake.admin.addFault({
      pathPattern: `^/v0/${slow.id}/`,
      method: 'GET',
      delayMs: 1500,
      times: 10,
    });
    try {
      const started = Date.now();
      const s = await h.ok<Summary>(mcp, 'summarize_records', {
        baseId: slow.id,
        table: 'Orders',
        maxSeconds: 2,
      });
      expect(Date.now() - started).toBeLessThan(4_000);
      expect(s).toMatchObject({
        complete: false,
        stoppedBecause: 'maxSeconds',
        scannedRecords: 100,
      });
      expect(s.budget.airtableRequests).toBe(1);
      expect(s.notice).toMatch(/time budget \(2 s\)/);
    } finally {
      h.fake.admin.clearFaults();
    }
  });

  it('refuses budgets past the safe caps and unknown fields', async () => {
    expect(
      await h.errText(mcp, 'summarize_records', { baseId, table: 'Orders', maxRecords: 50_001 }),
    ).toMatch(/Invalid arguments|maxRecords/);
    expect(
      await h.errText(mcp, 'summarize_records', { baseId, table: 'Orders', maxSeconds: 61 }),
    ).toMatch(/Invalid arguments|maxSeconds/);
    expect(
      await h.errText(mcp, 'summarize_records', { baseId, table: 'Orders', groupBy: 'Nope' }),
    ).toMatch(/UNKNOWN_FIELD_NAME|Nope/);
    expect(
      await h.errText(mcp, 'summarize_records', {
        baseId,
        table: 'Orders',
        metrics: [{ field: 'Amount', op: 'median' }],
      }),
    ).toMatch(/Invalid arguments|op/);
  });

  it('pages through groups when they do not fit', async () => {
    const small = await h.connect({ limits: { maxResultChars: 10_000 } });
    const seen: string[] = [];
    let offset = 0;
    for (let i = 0; i < 10; i++) {
      const s = await summarize(
        { groupBy: 'Name', metrics: [{ field: 'Amount', op: 'sum' }], offset },
        small,
      );
      expect(JSON.stringify(s).length).toBeLessThanOrEqual(10_000);
      seen.push(...s.groups!.map((g) => g.label));
      if (s.nextOffset === undefined) break;
      expect(s.notice).toMatch(/call again with offset/);
      offset = s.nextOffset;
    }
    expect(new Set(seen).size).toBe(250);
  });
});

describe('context budget: large answers continue', () => {
  let wide: string;

  beforeAll(() => {
    // 30 tables of about 6 KB each at detailLevel "fields", and one of about 25 KB.
    const base = h.fake.admin.createBase({
      name: 'Wide',
      ownerUserIds: [h.userId],
      tables: [
        ...Array.from({ length: 30 }, (_, t) => ({
          name: `Table ${t}`,
          fields: Array.from({ length: 40 }, (_, f) => ({
            name: `Field ${f}`,
            type: 'singleLineText',
            description: `${'describes it '.repeat(4)}${t}.${f}`,
          })),
        })),
        {
          name: 'Huge',
          fields: Array.from({ length: 60 }, (_, f) => ({
            name: `Wide field ${f}`,
            type: 'singleLineText',
            description: `${'a long description '.repeat(20)}${f}`,
          })),
        },
      ],
    });
    wide = base.id;
  });

  it('list_tables comes in parts under the limit, and nothing is lost', async () => {
    const c = await h.connect({ limits: { maxResultChars: 20_000 } });
    const tables: string[] = [];
    let offset = 0;
    let oversized: { fields?: unknown; notice?: string } | undefined;
    for (let i = 0; i < 40; i++) {
      const res = await h.ok<{
        tables: { name: string; fields?: unknown }[];
        nextOffset?: number;
        notice?: string;
        totalTables: number;
      }>(c, 'list_tables', { baseId: wide, offset });
      expect(JSON.stringify(res).length).toBeLessThanOrEqual(20_000);
      expect(res.totalTables).toBe(31);
      tables.push(...res.tables.map((t) => t.name));
      if (res.tables[0]?.name === 'Huge') oversized = { ...res.tables[0], notice: res.notice };
      if (res.nextOffset === undefined) break;
      expect(res.notice).toMatch(/offset/);
      offset = res.nextOffset;
    }
    expect(tables).toEqual([...Array.from({ length: 30 }, (_, t) => `Table ${t}`), 'Huge']);
    // A table too big on its own is listed without its fields, pointing to describe_table.
    expect(oversized?.fields).toBeUndefined();
    expect(oversized?.notice).toMatch(/Use describe_table/);
  });

  it('describe_table pages the fields of a wide table', async () => {
    const tiny = await h.connect({ limits: { maxResultChars: 10_000 } });
    const fields: string[] = [];
    let offset = 0;
    for (let i = 0; i < 40; i++) {
      const res = await h.ok<{
        fields: { name: string }[];
        nextOffset?: number;
        totalFields: number;
        views: unknown[];
      }>(tiny, 'describe_table', { baseId: wide, table: 'Huge', offset });
      expect(JSON.stringify(res).length).toBeLessThanOrEqual(10_000);
      expect(res.totalFields).toBe(60);
      if (offset > 0) expect(res.views).toEqual([]);
      fields.push(...res.fields.map((f) => f.name));
      if (res.nextOffset === undefined) break;
      offset = res.nextOffset;
    }
    expect(fields).toEqual(Array.from({ length: 60 }, (_, f) => `Wide field ${f}`));
  });

  it('list_bases continues with an offset', async () => {
    for (let i = 0; i < 400; i++)
      h.fake.admin.createBase({
        name: `Base with a rather long name number ${i} ${'x'.repeat(40)}`,
        ownerUserIds: [h.userId],
        tables: [{ name: 'T', fields: [{ name: 'Name', type: 'singleLineText' }] }],
      });
    const c = await h.connect({ limits: { maxResultChars: 10_000 } });
    const ids = new Set<string>();
    let offset = 0;
    let total = 0;
    for (let i = 0; i < 20; i++) {
      const res = await h.ok<{ bases: { id: string }[]; total: number; nextOffset?: number }>(
        c,
        'list_bases',
        { offset },
      );
      expect(JSON.stringify(res).length).toBeLessThanOrEqual(10_000);
      res.bases.forEach((b) => ids.add(b.id));
      total = res.total;
      if (res.nextOffset === undefined) break;
      offset = res.nextOffset;
    }
    expect(ids.size).toBe(total);
    expect(total).toBeGreaterThan(400);
  });

  it('list_comments cuts a page that is too long and continues exactly', async () => {
    const [order] = h.fake.admin.listRecords(
      baseId,
      h.fake.admin.getBase(baseId).tables[0]!.id,
    ).records;
    const recordId = order!.id;
    for (let i = 0; i < 12; i++)
      await h.ok(mcp, 'create_comment', {
        baseId,
        table: 'Orders',
        recordId,
        text: `${i} ${'long comment '.repeat(120)}`,
      });
    const c = await h.connect({ limits: { maxResultChars: 10_000 } });
    const seen: string[] = [];
    let offset: string | undefined;
    for (let i = 0; i < 20; i++) {
      const res: { comments: { id: string }[]; offset?: string; notice?: string } = await h.ok(
        c,
        'list_comments',
        {
          baseId,
          table: 'Orders',
          recordId,
          ...(offset ? { offset } : {}),
        },
      );
      expect(JSON.stringify(res).length).toBeLessThanOrEqual(10_000);
      seen.push(...res.comments.map((x) => x.id));
      offset = res.offset;
      if (!offset) break;
    }
    expect(new Set(seen).size).toBe(12);
    expect(seen).toHaveLength(12);
  });

  it('never tripped Airtable rate limits', () => {
    expect(h.fake.admin.stats().rateLimited.total).toBe(0);
  });
});
