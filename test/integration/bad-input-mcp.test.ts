/**
 * Hostile input on POST /mcp and in every tool's arguments: malformed JSON-RPC, wrong types,
 * unicode and control characters, oversize and deeply nested bodies, formula injection in search
 * text. Whatever arrives: an HTTP answer below 500 with a JSON-RPC body, never a hang or a stack
 * trace; a tool never fails "unexpectedly" (an unhandled exception) and never breaks its own
 * output schema; a refused call (isError) changes no Airtable record; and no request to /mcp ever
 * changes a row of ours. Private stack (own database) and private fake (rate limits off, so the
 * properties run at full speed).
 */
import fc from 'fast-check';
import { ALL_TOOLS } from '../../cloud/mcp/tools/index';
import { productEnv, startFakeAirtable, type FakeAirtable } from '../../fake-airtable/server';
import { harness } from '../harness/env';
import { uniqueUserId } from '../helpers/airtable';
import {
  assertSafeAnswer,
  headerValue,
  hostileJson,
  hostileString,
  rawRequest,
  rowFingerprint,
  runs,
  type RawAnswer,
} from '../helpers/fuzz';
import { startChildStack, type ChildStack } from '../helpers/child-stack';
import { removeTempDir, tempDir } from '../helpers/temp-dir';

const h = harness();
let fake: FakeAirtable;
let stack: ChildStack;
let dataDir: string;
let session: string;

interface FuzzBase {
  id: string;
  tableId: string;
  recordIds: string[];
}
/** Bases the tool fuzz may change (writes that Airtable accepts are fine there). */
const fuzzBases: FuzzBase[] = [];
/** Bases only searched, with names full of formula syntax (several: see fuzzBases). */
const searchBases: FuzzBase[] = [];

/** Names with every character that could break out of a formula string. */
const SEARCH_NAMES = [
  'He said "hi" and left',
  "It's a \\ backslash",
  'braces {Name} and }{ mixed',
  '") & TRUE() & ("',
  '"), TRUE(), ("',
  "'; OR(1=1); '",
  'percent 100% & ampersand',
  'Unicode café 中文 😀',
  'tab\there',
  'line one\nline two',
  'plain text',
];

beforeAll(async () => {
  dataDir = tempDir('bad-mcp');
  fake = await startFakeAirtable({ port: 0 });
  fake.admin.setConfig({ rateLimitEnabled: false });
  stack = await startChildStack({
    dataDir,
    env: {
      ...productEnv(fake),
      RATE_LIMIT_MULTIPLIER: '10000',
      AIRTABLE_TIMEOUT_MS: '5000',
    },
  });
  const user = fake.admin.createUser({ id: uniqueUserId() });
  const { token } = fake.admin.createPat({
    userId: user.id,
    scopes: [
      'data.records:read',
      'data.records:write',
      'schema.bases:read',
      'schema.bases:write',
      'data.recordComments:read',
      'data.recordComments:write',
    ],
    bases: 'all',
  });
  const makeBase = (name: string, names: string[]): FuzzBase => {
    const base = fake.admin.createBase({
      name,
      ownerUserIds: [user.id],
      tables: [
        {
          name: 'Tasks',
          fields: [
            { name: 'Name', type: 'singleLineText' },
            { name: 'Notes', type: 'multilineText' },
            { name: 'Count', type: 'number' },
            { name: 'Done', type: 'checkbox' },
          ],
          records: names.map((n, i) => ({ fields: { Name: n, Notes: `note ${i}`, Count: i } })),
        },
      ],
    });
    const table = base.tables[0]!;
    const recordIds = fake.admin.listRecords(base.id, table.id).records.map((r) => r.id);
    return { id: base.id, tableId: table.id, recordIds };
  };
  // The client-side limiter allows 5 requests/s per base: spreading calls keeps properties fast.
  for (let i = 0; i < 8; i++) {
    fuzzBases.push(makeBase(`Fuzz ${i}`, ['alpha', 'beta', 'gamma']));
    searchBases.push(makeBase(`Search ${i}`, SEARCH_NAMES));
  }
  const res = await fetch(`${stack.url}/api/auth/direct`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ api_key: token }),
  });
  expect(res.status).toBe(200);
  session = ((await res.json()) as { session_id: string }).session_id;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
  removeTempDir(dataDir);
});

const MCP_HEADERS = {
  'Content-Type': 'application/json',
  Accept: 'application/json, text/event-stream',
  'MCP-Protocol-Version': '2025-06-18',
};

function mcp(body: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return rawRequest(stack.url, {
    method: 'POST',
    path: '/mcp',
    headers: { ...MCP_HEADERS, Authorization: `Bearer ${session}`, ...headers },
    body,
  });
}

/** Airtable's side of every base (schema and records), to prove a refused call wrote nothing. */
function airtableState(): string {
  return JSON.stringify(
    [...fuzzBases, ...searchBases].map((b) => ({
      schema: fake.admin.getBase(b.id),
      records: fake.admin.getBase(b.id).tables.map((t) => fake.admin.listRecords(b.id, t.id)),
    })),
  );
}

let nextId = 1;
function toolCallBody(name: string, args: unknown): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id: nextId++,
    method: 'tools/call',
    params: { name, arguments: args },
  });
}

interface ToolResult {
  isError?: boolean;
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
}

function resultOf(a: RawAnswer): ToolResult {
  expect(a.status).toBe(200);
  const parsed = JSON.parse(a.body) as { result?: ToolResult; error?: unknown };
  if (!parsed.result) throw new Error(`no result: ${a.body.slice(0, 500)}`);
  return parsed.result;
}

const textOf = (r: ToolResult) => r.content.map((c) => c.text ?? '').join('\n');

describe('POST /mcp: the protocol layer', () => {
  it('any body, content type or accept header: a 4xx or a JSON-RPC answer, never a row changed', async () => {
    const rpcLike = fc.record(
      {
        jsonrpc: fc.oneof(fc.constant('2.0'), hostileJson),
        id: fc.oneof(fc.integer(), hostileString, hostileJson),
        method: fc.oneof(
          fc.constantFrom('initialize', 'tools/list', 'tools/call', 'ping', 'resources/list'),
          hostileString,
        ),
        params: hostileJson,
      },
      { requiredKeys: [] },
    );
    const bodies = fc.oneof(
      rpcLike.map((v) => JSON.stringify(v)),
      fc.array(rpcLike, { maxLength: 3 }).map((v) => JSON.stringify(v)),
      hostileJson.map((v) => JSON.stringify(v) ?? 'null'),
      hostileString,
    );
    await fc.assert(
      fc.asyncProperty(
        bodies,
        fc.record(
          { 'Content-Type': headerValue, Accept: headerValue, 'MCP-Protocol-Version': headerValue },
          { requiredKeys: [] },
        ),
        fc.boolean(),
        async (body, headers, signedIn) => {
          const before = await rowFingerprint(stack.url, h.appId, h.masterKey);
          const a = await rawRequest(stack.url, {
            method: 'POST',
            path: '/mcp',
            headers: {
              ...MCP_HEADERS,
              ...headers,
              ...(signedIn ? { Authorization: `Bearer ${session}` } : {}),
            },
            body,
          });
          assertSafeAnswer('mcp', a);
          if (a.status !== 202 && a.body.trim().startsWith('{'))
            expect(() => JSON.parse(a.body) as unknown).not.toThrow();
          expect(await rowFingerprint(stack.url, h.appId, h.masterKey)).toBe(before);
        },
      ),
      runs(50),
    );
  });

  it('answers 413 with a JSON-RPC error to a body over 1 MB', async () => {
    const big = toolCallBody('search_records', { searchText: 'x'.repeat(1024 * 1024 + 10) });
    const a = await mcp(big);
    expect(a.status).toBe(413);
    expect((JSON.parse(a.body) as { error: { message: string } }).error.message).toMatch(/larger/);
  });

  it('survives deep nesting and huge arrays within the size limit', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const deepFilter = `${'{"not":'.repeat(100_000)}{"field":"Name","op":"isEmpty"}${'}'.repeat(100_000)}`;
    for (const [tool, args] of [
      ['create_records', `{"records": ${deep}}`],
      ['create_records', `{"records": [${Array.from({ length: 400_000 }, () => '0').join(',')}]}`],
      [
        'list_records',
        `{"baseId": "${fuzzBases[0]!.id}", "table": "Tasks", "filter": ${deepFilter}}`,
      ],
    ]) {
      const started = Date.now();
      const a = await mcp(
        `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"${tool}","arguments":${args}}}`,
      );
      assertSafeAnswer('nesting', a);
      expect(Date.now() - started).toBeLessThan(10_000);
    }
  });
});

/** Filter trees: real field names and operators with hostile values, and nonsense shapes. */
const filterTree: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc.record(
      {
        field: fc.oneof(fc.constantFrom('Name', 'Notes', 'Count', 'Done'), hostileString),
        op: fc.oneof(
          fc.constantFrom('=', '!=', '<', 'contains', 'isEmpty', 'hasAnyOf', 'isOn', 'isWithin'),
          hostileString,
        ),
        value: fc.oneof(
          hostileString,
          fc.integer(),
          fc.boolean(),
          fc.array(hostileString, { maxLength: 3 }),
        ),
        timeZone: fc.oneof(fc.constantFrom('UTC', 'Asia/Tokyo'), hostileString),
        caseSensitive: fc.boolean(),
        days: fc.integer({ min: -1, max: 40_000 }),
      },
      { requiredKeys: [] },
    ),
    fc.array(tie('node'), { maxLength: 3 }).map((and) => ({ and })),
    fc.array(tie('node'), { maxLength: 3 }).map((or) => ({ or })),
    tie('node').map((not) => ({ not })),
    hostileJson,
  ),
})).node;

/** Plausible values per argument name (real ids, names), mixed with hostile ones. */
function argValue(key: string, base: FuzzBase): fc.Arbitrary<unknown> {
  const plausible: Record<string, fc.Arbitrary<unknown>> = {
    baseId: fc.constant(base.id),
    table: fc.constantFrom('Tasks', base.tableId),
    tableId: fc.constant(base.tableId),
    recordId: fc.constantFrom(...base.recordIds),
    recordIds: fc.subarray(base.recordIds, { minLength: 1 }),
    records: fc.array(
      fc.record(
        {
          id: fc.constantFrom(...base.recordIds),
          fields: fc.dictionary(
            fc.oneof(fc.constantFrom('Name', 'Notes', 'Count', 'Done'), hostileString),
            hostileJson,
            { maxKeys: 3 },
          ),
        },
        { requiredKeys: ['fields'] },
      ),
      { minLength: 1, maxLength: 3 },
    ),
    fields: fc.array(fc.oneof(fc.constantFrom('Name', 'Notes'), hostileString), { maxLength: 3 }),
    searchFields: fc.array(fc.oneof(fc.constantFrom('Name', 'Notes'), hostileString), {
      minLength: 1,
      maxLength: 3,
    }),
    maxRecords: fc.integer({ min: -5, max: 2000 }),
    typecast: fc.boolean(),
    // Issue 13's arguments: structured filters, read formats, dry runs, summaries.
    filter: filterTree,
    filterByFormula: fc.oneof(
      fc.constantFrom('{Count} > 1', 'AND({Done}, {Name} != "")', 'TRUE()) + (TRUE()'),
      hostileString,
    ),
    sort: fc.array(
      fc.record({
        field: fc.oneof(fc.constantFrom('Name', 'Count'), hostileString),
        direction: fc.oneof(fc.constantFrom('asc', 'desc'), hostileString),
      }),
      { maxLength: 3 },
    ),
    view: fc.oneof(fc.constant('Grid view'), hostileString),
    cellFormat: fc.oneof(fc.constantFrom('json', 'string'), hostileString),
    timeZone: fc.oneof(fc.constantFrom('UTC', 'Europe/Paris', 'Mars/Olympus'), hostileString),
    userLocale: fc.oneof(fc.constantFrom('en-us', 'fr'), hostileString),
    returnFieldsByFieldId: fc.boolean(),
    includeLookups: fc.boolean(),
    dryRun: fc.boolean(),
    groupBy: fc.oneof(fc.constantFrom('Name', 'Count', 'Done'), hostileString),
    metrics: fc.array(
      fc.record({
        field: fc.oneof(fc.constantFrom('Count', 'Name'), hostileString),
        op: fc.oneof(fc.constantFrom('sum', 'avg', 'min', 'max', 'countUnique'), hostileString),
      }),
      { maxLength: 3 },
    ),
    maxSeconds: fc.integer({ min: -1, max: 5 }),
    offset: fc.oneof(fc.integer({ min: -1, max: 5 }), hostileString),
  };
  return fc.oneof(
    { arbitrary: plausible[key] ?? hostileString, weight: 12 },
    { arbitrary: hostileString, weight: 1 },
    { arbitrary: hostileJson, weight: 1 },
  );
}

/** Arguments for one tool: its own argument names (from its input schema) with fuzzed values. */
function toolArgs(): fc.Arbitrary<{ name: string; args: unknown }> {
  return fc
    .tuple(fc.constantFrom(...ALL_TOOLS), fc.constantFrom(...fuzzBases))
    .chain(([tool, base]) => {
      const keys = Object.keys(tool.input.shape);
      const shaped = fc.record(
        Object.fromEntries(keys.map((k) => [k, argValue(k, base)])) as Record<
          string,
          fc.Arbitrary<unknown>
        >,
        { requiredKeys: [] },
      );
      return fc
        .oneof({ arbitrary: shaped, weight: 4 }, { arbitrary: hostileJson, weight: 1 })
        .map((args) => ({ name: tool.name, args }));
    });
}

describe('tools/call with fuzzed arguments', () => {
  it('every tool: a result (success or a clear isError), and a refused call wrote nothing', async () => {
    let succeeded = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(toolArgs(), async ({ name, args }) => {
        const before = airtableState();
        const started = Date.now();
        const a = await mcp(toolCallBody(name, args));
        assertSafeAnswer(`tool ${name}`, a);
        if (typeof args !== 'object' || args === null || Array.isArray(args)) {
          // Not even an arguments object: the SDK answers with a JSON-RPC error, not a result.
          expect(a.status).toBe(200);
          expect((JSON.parse(a.body) as { error?: unknown }).error).toBeDefined();
          expect(airtableState()).toBe(before);
          return;
        }
        const result = resultOf(a);
        const text = textOf(result);
        expect(Date.now() - started).toBeLessThan(15_000);
        // Bugs, not answers: an exception no tool expected, or a tool breaking its own output schema.
        expect(text).not.toMatch(/Internal error|Output validation error|it has been logged/);
        // A dry run never writes, whatever else happens.
        if ((args as { dryRun?: unknown }).dryRun === true) expect(airtableState()).toBe(before);
        if (result.isError) {
          refused++;
          // A batched write may fail part-way and says so; anything else must have written nothing.
          if (!/records were (created|updated|deleted) before this error/.test(text))
            expect(airtableState()).toBe(before);
        } else succeeded++;
      }),
      runs(80),
    );
    // The generator reaches both sides (otherwise this proves little).
    expect(refused).toBeGreaterThan(0);
    expect(succeeded).toBeGreaterThan(0);
  });

  it('oversize tool arguments are refused before Airtable sees them', async () => {
    const calls: [string, unknown][] = [
      [
        'search_records',
        { baseId: searchBases[0]!.id, table: 'Tasks', searchText: 'x'.repeat(5000) },
      ],
      [
        'create_records',
        {
          baseId: fuzzBases[0]!.id,
          table: 'Tasks',
          records: Array.from({ length: 1001 }, () => ({ fields: {} })),
        },
      ],
      [
        'create_comment',
        {
          baseId: fuzzBases[0]!.id,
          table: 'Tasks',
          recordId: fuzzBases[0]!.recordIds[0],
          text: 'x'.repeat(10_001),
        },
      ],
      ['list_records', { baseId: fuzzBases[0]!.id, table: 'x'.repeat(1001) }],
    ];
    const requestsBefore = JSON.stringify(fake.admin.stats().apiRequests);
    for (const [name, args] of calls) {
      const result = resultOf(await mcp(toolCallBody(name, args)));
      expect([name, result.isError]).toEqual([name, true]);
      expect(textOf(result)).toMatch(/Invalid arguments|too|at most|<=|maximum/i);
    }
    expect(JSON.stringify(fake.admin.stats().apiRequests)).toBe(requestsBefore);
  });
});

describe('search_records: formula injection', () => {
  /** What a name looks like to the formula: control characters as spaces, CR/LF as LF. */
  const asFormulaText = (s: string) =>
    s
      .replace(/\r\n|\r/g, '\n')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, ' ');

  it('any search text is matched literally: only records containing it come back', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileString.filter((s) => s.trim().length > 0 && s.length <= 1000),
        fc.constantFrom(...searchBases),
        async (searchText, base) => {
          const result = resultOf(
            await mcp(
              toolCallBody('search_records', { baseId: base.id, table: 'Tasks', searchText }),
            ),
          );
          // The formula never breaks: Airtable (the fake's real parser) always accepts it.
          expect(textOf(result)).not.toMatch(/INVALID_FILTER_BY_FORMULA|422/);
          expect(result.isError).toBeFalsy();
          const needle = asFormulaText(searchText.trim()).toLowerCase();
          const records = (result.structuredContent?.records ?? []) as {
            fields: Record<string, unknown>;
          }[];
          for (const r of records) {
            const hay = Object.values(r.fields).map((v) => String(v).toLowerCase());
            expect(hay.some((v) => v.includes(needle))).toBe(true);
          }
        },
      ),
      runs(30),
    );
  });

  it('any piece of a stored name finds that record, whatever quotes, braces or backslashes it holds', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...SEARCH_NAMES.filter((n) => !/[\t\n]/.test(n))),
        fc.nat(),
        fc.nat(),
        fc.constantFrom(...searchBases),
        async (name, a, b, base) => {
          const chars = Array.from(name);
          const start = a % chars.length;
          const end = start + 1 + (b % (chars.length - start));
          const piece = chars.slice(start, end).join('').trim();
          fc.pre(piece.length > 0);
          const result = resultOf(
            await mcp(
              toolCallBody('search_records', {
                baseId: base.id,
                table: 'Tasks',
                searchText: piece,
                searchFields: ['Name'],
              }),
            ),
          );
          expect(result.isError).toBeFalsy();
          const names = (
            (result.structuredContent?.records ?? []) as { fields: { Name?: string } }[]
          ).map((r) => r.fields.Name);
          expect(names).toContain(name);
        },
      ),
      runs(40),
    );
  });
});
