/**
 * Structured filters compiled to Airtable formulas (cloud/airtable/filter-formula.ts), checked
 * with Airtable's formula semantics as the fake models them (its lexer, parser and evaluator):
 * - property: for random trees over typed records (text, numbers, checkboxes, multiple selects,
 *   dates, date-times with time zones), the compiled formula matches a record exactly when a
 *   direct reading of the tree says it should;
 * - property: no value or field name, however hostile, changes the formula's structure (it
 *   parses, and references only the fields the tree names);
 * - examples of the emitted formulas, and every refusal with its path.
 */
import fc from 'fast-check';
import {
  allOf,
  balancedFormula,
  compileFilter,
  FilterError,
  type FilterNode,
} from '../../cloud/airtable/filter-formula';
import { canReferenceField } from '../../cloud/airtable/formula';
import {
  addDays,
  addMonths,
  compareDays,
  dayOf,
  formatDay,
  startOfDay,
  type CalendarDay,
} from '../../cloud/airtable/zoned-time';
import { evaluateSafely } from '../../fake-airtable/formula/evaluator';
import { parseFormula, referencedFields } from '../../fake-airtable/formula/parser';
import { isTruthy, toText, type FValue } from '../../fake-airtable/formula/values';
import { hostileString, runs } from '../helpers/fuzz';

const NOW = Date.parse('2026-03-29T10:30:00.000Z');

function matches(formula: string, record: Map<string, FValue>, now = NOW): boolean {
  const v = evaluateSafely(parseFormula(formula), {
    field: (name) => (record.has(name) ? record.get(name)! : null),
    recordId: 'recAAAAAAAAAAAAAA',
    createdTime: '2026-01-01T00:00:00.000Z',
    lastModifiedTime: '2026-01-01T00:00:00.000Z',
    now,
  });
  if (typeof v === 'object' && v !== null && !Array.isArray(v))
    throw new Error(`formula evaluated to #ERROR!: ${formula}`);
  return isTruthy(v);
}

/** What a formula string literal holds of a text: CR/LF as LF, other controls as spaces. */
const asLiteral = (s: string) =>
  s
    .replace(/\r\n|\r/g, '\n')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, ' ');

// ---- a typed table and a reference reading of the tree ----

type Kind = 'text' | 'number' | 'checkbox' | 'tags' | 'day' | 'instant';
interface Col {
  name: string;
  kind: Kind;
}

const ZONES = [
  'UTC',
  'Europe/Paris',
  'America/New_York',
  'America/Los_Angeles',
  'America/Sao_Paulo',
  'Asia/Kolkata',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Pacific/Kiritimati',
  'Pacific/Niue',
];

const fieldName = hostileString.filter((n) => n.length > 0 && canReferenceField(n));
const tag = fc.constantFrom('red', 'Blue', 'green light', 'ÉTÉ', 'x');
// A narrow window (with DST changes in Europe, Lord Howe and Chatham) so that record values and
// condition values often fall on the same or neighbouring days, where mistakes show.
const dayArb = fc.integer({ min: 0, max: 40 }).map((n) => addDays({ y: 2026, m: 3, d: 10 }, n));
const instantArb = fc.integer({
  min: Date.parse('2026-03-10T00:00:00Z'),
  max: Date.parse('2026-04-20T00:00:00Z'),
});

function cellArb(kind: Kind, zone: string): fc.Arbitrary<FValue> {
  switch (kind) {
    case 'text':
      return fc.oneof(fc.constant(null), hostileString, fc.constantFrom('Done', 'done', 'DONE!'));
    case 'number':
      return fc.oneof(
        fc.constant(null),
        fc.integer({ min: -5, max: 5 }),
        fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
      );
    case 'checkbox':
      return fc.boolean();
    case 'tags':
      return fc.uniqueArray(tag, { maxLength: 3 }).map((a) => (a.length ? a : null));
    case 'day':
      return fc.oneof(fc.constant(null), dayArb.map(formatDay));
    case 'instant':
      return fc.oneof(
        fc.constant(null),
        instantArb.map((ms) => new Date(ms).toISOString()),
        // Right at the edges of local days, where time zone mistakes show.
        fc
          .tuple(dayArb, fc.constantFrom(-1, 0, 1))
          .map(([d, delta]) => new Date(startOfDay(d, zone) + delta).toISOString()),
      );
  }
}

const textValue = fc.oneof(
  hostileString.filter((s) => s.length > 0),
  fc.constantFrom('done', 'Done', 'o', 'DONE!'),
);
const dateValue = fc.oneof(
  dayArb.map(formatDay),
  fc.constantFrom('today', 'tomorrow', 'yesterday'),
  instantArb.map((ms) => new Date(ms).toISOString()),
  instantArb.map((ms) => new Date(ms).toISOString().slice(0, 16)), // local wall time
);

function conditionArb(col: Col, zone: string): fc.Arbitrary<FilterNode> {
  const field = col.name;
  const cs = fc.option(fc.boolean(), { nil: undefined });
  switch (col.kind) {
    case 'text':
      return fc.oneof(
        fc.record({
          field: fc.constant(field),
          op: fc.constantFrom('=', '!=', 'contains', 'notContains', 'startsWith', 'endsWith'),
          value: textValue,
          caseSensitive: cs,
        }),
        fc.record({
          field: fc.constant(field),
          op: fc.constantFrom('isAnyOf', 'isNoneOf'),
          value: fc.array(textValue, { minLength: 1, maxLength: 3 }),
          caseSensitive: cs,
        }),
        fc.record({ field: fc.constant(field), op: fc.constantFrom('isEmpty', 'isNotEmpty') }),
      ) as fc.Arbitrary<FilterNode>;
    case 'number':
      return fc.oneof(
        fc.record({
          field: fc.constant(field),
          op: fc.constantFrom('=', '!=', '<', '<=', '>', '>='),
          value: fc.integer({ min: -5, max: 5 }),
        }),
        fc.record({
          field: fc.constant(field),
          op: fc.constantFrom('isAnyOf', 'isNoneOf'),
          value: fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1, maxLength: 3 }),
        }),
        fc.record({ field: fc.constant(field), op: fc.constantFrom('isEmpty', 'isNotEmpty') }),
      ) as fc.Arbitrary<FilterNode>;
    case 'checkbox':
      return fc.record({
        field: fc.constant(field),
        op: fc.constantFrom('=', '!='),
        value: fc.boolean(),
      }) as fc.Arbitrary<FilterNode>;
    case 'tags':
      return fc.oneof(
        fc.record({
          field: fc.constant(field),
          op: fc.constantFrom('hasAnyOf', 'hasAllOf', 'hasNoneOf'),
          value: fc.array(fc.oneof(tag, fc.constantFrom('RED', 'green')), {
            minLength: 1,
            maxLength: 3,
          }),
          caseSensitive: cs,
        }),
        fc.record({ field: fc.constant(field), op: fc.constantFrom('isEmpty', 'isNotEmpty') }),
      ) as fc.Arbitrary<FilterNode>;
    case 'day':
    case 'instant':
      return fc.oneof(
        fc.record({
          field: fc.constant(field),
          op: fc.constantFrom('isBefore', 'isAfter', 'isOnOrBefore', 'isOnOrAfter', 'isOn'),
          value: dateValue,
          timeZone: fc.constant(zone),
        }),
        fc.record({
          field: fc.constant(field),
          op: fc.constant('isWithin'),
          value: fc.constantFrom(
            'pastWeek',
            'pastMonth',
            'pastYear',
            'nextWeek',
            'nextMonth',
            'nextYear',
          ),
          timeZone: fc.constant(zone),
        }),
        fc.record({
          field: fc.constant(field),
          op: fc.constantFrom('isWithin'),
          value: fc.constantFrom('pastNumberOfDays', 'nextNumberOfDays'),
          days: fc.integer({ min: 0, max: 400 }),
          timeZone: fc.constant(zone),
        }),
      ) as fc.Arbitrary<FilterNode>;
  }
}

function treeArb(cols: Col[], zone: string): fc.Arbitrary<FilterNode> {
  const leaf = fc.oneof(...cols.map((c) => conditionArb(c, zone)));
  return fc.letrec<{ node: FilterNode }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((and) => ({ and })),
      fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((or) => ({ or })),
      tie('node').map((not) => ({ not })),
    ),
  })).node;
}

/** The tree read directly, as its documentation says (the oracle). */
function holds(node: FilterNode, cols: Col[], rec: Map<string, FValue>, now: number): boolean {
  if (node.and) return node.and.every((c) => holds(c, cols, rec, now));
  if (node.or) return node.or.some((c) => holds(c, cols, rec, now));
  if (node.not) return !holds(node.not, cols, rec, now);
  const col = cols.find((c) => c.name === node.field)!;
  const v = rec.get(col.name) ?? null;
  const ci = node.caseSensitive !== true;
  const fold = (s: string) => (ci ? s.toLowerCase() : s);
  const text = toText(v);
  const lit = (x: string | number) => fold(asLiteral(String(x)));
  const empty = text === '';
  switch (node.op) {
    case 'isEmpty':
      return empty;
    case 'isNotEmpty':
      return !empty;
    case '=':
    case '!=': {
      const eq = (x: string | number | boolean): boolean => {
        if (typeof x === 'boolean') return x === isTruthy(v);
        if (typeof x === 'number') return !empty && Number(v) === x;
        return fold(text) === lit(x);
      };
      const r = eq(node.value as string | number | boolean);
      return node.op === '=' ? r : !r;
    }
    case '<':
      return !empty && (v as number) < (node.value as number);
    case '<=':
      return !empty && (v as number) <= (node.value as number);
    case '>':
      return !empty && (v as number) > (node.value as number);
    case '>=':
      return !empty && (v as number) >= (node.value as number);
    case 'contains':
      return fold(text).includes(lit(node.value as string));
    case 'notContains':
      return !fold(text).includes(lit(node.value as string));
    case 'startsWith':
      return fold(text).startsWith(lit(node.value as string));
    case 'endsWith':
      return fold(text).endsWith(lit(node.value as string));
    case 'isAnyOf':
    case 'isNoneOf': {
      const any = (node.value as (string | number)[]).some((x) =>
        typeof x === 'number' ? !empty && Number(v) === x : fold(text) === lit(x),
      );
      return node.op === 'isAnyOf' ? any : !any;
    }
    case 'hasAnyOf':
    case 'hasAllOf':
    case 'hasNoneOf': {
      const items = (Array.isArray(v) ? v : []).map((x) => fold(toText(x)));
      const wanted = (node.value as string[]).map((x) => lit(x));
      if (node.op === 'hasAllOf') return wanted.every((w) => items.includes(w));
      const any = wanted.some((w) => items.includes(w));
      return node.op === 'hasAnyOf' ? any : !any;
    }
    default:
      return dateHolds(node, col, v, now);
  }
}

function dateHolds(node: FilterNode, col: Col, v: FValue, now: number): boolean {
  if (v === null) return false;
  const tz = node.timeZone!;
  const cellDay: CalendarDay =
    col.kind === 'day'
      ? {
          y: Number((v as string).slice(0, 4)),
          m: Number((v as string).slice(5, 7)),
          d: Number((v as string).slice(8, 10)),
        }
      : dayOf(Date.parse(v as string), tz);
  const today = dayOf(now, tz);
  if (node.op === 'isWithin') {
    const n = node.days ?? 0;
    const ranges: Record<string, [CalendarDay, CalendarDay]> = {
      pastWeek: [addDays(today, -7), today],
      pastMonth: [addMonths(today, -1), today],
      pastYear: [addMonths(today, -12), today],
      nextWeek: [today, addDays(today, 7)],
      nextMonth: [today, addMonths(today, 1)],
      nextYear: [today, addMonths(today, 12)],
      pastNumberOfDays: [addDays(today, -n), today],
      nextNumberOfDays: [today, addDays(today, n)],
    };
    const [from, to] = ranges[node.value as string]!;
    return compareDays(cellDay, from) >= 0 && compareDays(cellDay, to) <= 0;
  }
  const raw = node.value as string;
  const rel: Record<string, number> = { today: 0, tomorrow: 1, yesterday: -1 };
  let target: CalendarDay;
  if (raw in rel) target = addDays(today, rel[raw]!);
  else if (raw.length === 10)
    target = { y: +raw.slice(0, 4), m: +raw.slice(5, 7), d: +raw.slice(8, 10) };
  else {
    // A date-time: with Z an instant; without, a wall time in the zone.
    const ms = raw.endsWith('Z')
      ? Date.parse(raw)
      : startOfDay({ y: +raw.slice(0, 4), m: +raw.slice(5, 7), d: +raw.slice(8, 10) }, tz) +
        (+raw.slice(11, 13) * 60 + +raw.slice(14, 16)) * 60_000;
    if (col.kind === 'instant' && node.op !== 'isOn') {
      const t = Date.parse(v as string);
      if (node.op === 'isBefore') return t < ms;
      if (node.op === 'isAfter') return t > ms;
      if (node.op === 'isOnOrBefore') return t <= ms;
      return t >= ms;
    }
    target = dayOf(ms, tz);
  }
  const c = compareDays(cellDay, target);
  if (node.op === 'isBefore') return c < 0;
  if (node.op === 'isAfter') return c > 0;
  if (node.op === 'isOnOrBefore') return c <= 0;
  if (node.op === 'isOnOrAfter') return c >= 0;
  return c === 0;
}

const KINDS: Kind[] = ['text', 'number', 'checkbox', 'tags', 'day', 'instant'];

const scenario = fc
  .tuple(fc.uniqueArray(fieldName, { minLength: 6, maxLength: 6 }), fc.constantFrom(...ZONES))
  .chain(([names, zone]) => {
    const cols: Col[] = names.map((name, i) => ({ name, kind: KINDS[i]! }));
    return fc.record({
      cols: fc.constant(cols),
      zone: fc.constant(zone),
      tree: treeArb(cols, zone),
      records: fc.array(fc.tuple(...cols.map((c) => cellArb(c.kind, zone))), {
        minLength: 1,
        maxLength: 6,
      }),
      now: fc.oneof(fc.constant(NOW), instantArb),
    });
  });

describe('compileFilter: the formula means what the tree says', () => {
  it('matches exactly the records the tree describes (random trees, typed records, time zones)', () => {
    fc.assert(
      fc.property(scenario, ({ cols, tree, records, now }) => {
        const formula = compileFilter(tree, {
          now,
          dateKind: (f) => (cols.find((c) => c.name === f)!.kind === 'day' ? 'day' : 'instant'),
        });
        for (const cells of records) {
          const rec = new Map<string, FValue>(cols.map((c, i) => [c.name, cells[i] ?? null]));
          expect({ formula, got: matches(formula, rec, now) }).toEqual({
            formula,
            got: holds(tree, cols, rec, now),
          });
        }
      }),
      runs(400),
    );
  });
});

describe('compileFilter: dates at the edges of days, in every zone', () => {
  it('each date condition holds exactly for the values around its boundaries', () => {
    const cond = fc.record({
      zone: fc.constantFrom(...ZONES),
      kind: fc.constantFrom<Kind>('day', 'instant'),
      op: fc.constantFrom('isBefore', 'isAfter', 'isOnOrBefore', 'isOnOrAfter', 'isOn', 'isWithin'),
      value: dateValue,
      period: fc.constantFrom(
        'pastWeek',
        'pastMonth',
        'pastYear',
        'nextWeek',
        'nextMonth',
        'nextYear',
        'pastNumberOfDays',
        'nextNumberOfDays',
      ),
      days: fc.integer({ min: 0, max: 40 }),
      now: instantArb,
    });
    fc.assert(
      fc.property(cond, (c) => {
        const col: Col = { name: 'D', kind: c.kind };
        const node: FilterNode =
          c.op === 'isWithin'
            ? {
                field: 'D',
                op: 'isWithin',
                value: c.period,
                timeZone: c.zone,
                ...(c.period.endsWith('NumberOfDays') ? { days: c.days } : {}),
              }
            : { field: 'D', op: c.op as FilterNode['op'], value: c.value, timeZone: c.zone };
        const formula = compileFilter(node, {
          now: c.now,
          dateKind: () => (c.kind === 'day' ? 'day' : 'instant'),
        });
        // Every day from 35 days before now to 35 after (the window values come from), a few
        // around a year ahead, and for date-times the instants around each day's start and the
        // value's own instant.
        const today = dayOf(c.now, c.zone);
        const samples: FValue[] = [null];
        const offsets = [...Array.from({ length: 71 }, (_, i) => i - 35), 364, 365, 366, 367];
        for (const i of offsets) {
          const day = addDays(today, i);
          if (c.kind === 'day') samples.push(formatDay(day));
          else {
            const start = startOfDay(day, c.zone);
            for (const delta of [-1, 0, 1, 43_200_000])
              samples.push(new Date(start + delta).toISOString());
          }
        }
        if (c.kind === 'instant' && c.value.length > 10 && c.value.endsWith('Z')) {
          const t = Date.parse(c.value);
          for (const delta of [-1, 0, 1]) samples.push(new Date(t + delta).toISOString());
        }
        for (const v of samples) {
          const rec = new Map<string, FValue>([['D', v]]);
          expect({ v, formula, got: matches(formula, rec, c.now) }).toEqual({
            v,
            formula,
            got: holds(node, [col], rec, c.now),
          });
        }
      }),
      runs(40),
    );
  });
});

describe('compileFilter: no formula injection', () => {
  const anyNode: fc.Arbitrary<FilterNode> = fc.letrec<{ node: FilterNode }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      fc.record(
        {
          field: fieldName,
          op: fc.constantFrom(
            '=',
            '!=',
            'contains',
            'notContains',
            'startsWith',
            'endsWith',
            'isAnyOf',
            'hasAnyOf',
            'hasAllOf',
            'hasNoneOf',
            'isNoneOf',
            'isEmpty',
          ),
          value: fc.oneof(
            hostileString,
            fc.array(hostileString, { minLength: 1, maxLength: 3 }),
            fc.integer(),
            fc.boolean(),
          ),
          caseSensitive: fc.option(fc.boolean(), { nil: undefined }),
        },
        { requiredKeys: ['field', 'op'] },
      ) as fc.Arbitrary<FilterNode>,
      fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((and) => ({ and })),
      fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((or) => ({ or })),
      tie('node').map((not) => ({ not })),
    ),
  })).node;

  const names = (n: FilterNode, out = new Set<string>()): Set<string> => {
    if (n.field !== undefined) out.add(n.field);
    for (const c of [...(n.and ?? []), ...(n.or ?? []), ...(n.not ? [n.not] : [])]) names(c, out);
    return out;
  };

  it('any values and field names: the formula parses and references only the named fields', () => {
    fc.assert(
      fc.property(anyNode, (tree) => {
        let formula: string;
        try {
          formula = compileFilter(tree, { now: NOW, dateKind: () => 'day' });
        } catch (err) {
          // Refusals are FilterErrors (a value of the wrong type for its op), never anything else.
          expect(err).toBeInstanceOf(FilterError);
          return;
        }
        const refs = referencedFields(parseFormula(formula));
        for (const r of refs) expect(names(tree).has(r)).toBe(true);
        expect(balancedFormula(formula)).toBe(true);
      }),
      runs(400),
    );
  });

  it('a value that tries to close the string and add a condition stays a value', () => {
    const attack = '") , TRUE(), ("';
    const formula = compileFilter(
      { field: 'Name', op: '=', value: attack },
      { now: NOW, dateKind: () => 'day' },
    );
    expect(matches(formula, new Map([['Name', 'anything']]))).toBe(false);
    expect(matches(formula, new Map([['Name', attack]]))).toBe(true);
  });
});

describe('compileFilter: formulas and refusals', () => {
  const opts = {
    now: NOW,
    dateKind: (f: string) => (f === 'Due' ? ('day' as const) : ('instant' as const)),
  };

  it('emits the documented formulas', () => {
    expect(compileFilter({ field: 'Status', op: '=', value: 'Done' }, opts)).toBe(
      'LOWER({Status} & "") = LOWER("Done")',
    );
    expect(
      compileFilter({ field: 'Status', op: '=', value: 'Done', caseSensitive: true }, opts),
    ).toBe('{Status} & "" = "Done"');
    expect(compileFilter({ field: 'Price', op: '>', value: 10 }, opts)).toBe(
      'IF({Price} & "" = "", FALSE(), {Price} > 10)',
    );
    expect(compileFilter({ field: 'a}b', op: 'isEmpty' }, opts)).toBe('{a\\}b} & "" = ""');
    expect(compileFilter({ and: [{ field: 'Done', op: '=', value: true }] }, opts)).toBe(
      'IF({Done}, TRUE(), FALSE())',
    );
    // 2026-03-29 in Paris: DST starts that day, so it lasts 23 hours (22:00Z to 22:00Z).
    expect(
      compileFilter(
        { field: 'When', op: 'isOn', value: '2026-03-29', timeZone: 'Europe/Paris' },
        opts,
      ),
    ).toBe(
      'IF({When} & "" = "", FALSE(), AND(NOT(IS_BEFORE({When}, DATETIME_PARSE("2026-03-28T23:00:00.000Z"))), IS_BEFORE({When}, DATETIME_PARSE("2026-03-29T22:00:00.000Z"))))',
    );
    expect(
      compileFilter(
        { field: 'Due', op: 'isBefore', value: 'today', timeZone: 'Pacific/Kiritimati' },
        opts,
      ),
    ).toBe(
      // 10:30Z is already the next day at UTC+14.
      'IF({Due} & "" = "", FALSE(), IS_BEFORE({Due}, DATETIME_PARSE("2026-03-30")))',
    );
  });

  it('refuses malformed trees with the path of the problem', () => {
    const bad: [FilterNode, RegExp][] = [
      [{}, /^filter: each part of a filter/],
      [{ and: [] }, /^filter\.and: needs at least one/],
      [{ and: [{ field: 'A', op: 'isEmpty' }], field: 'B' }, /^filter: give one of/],
      [
        { or: [{ field: 'A', op: '<', value: 'x' }] },
        /^filter\.or\[0\]\.value: "<" compares numbers/,
      ],
      [{ field: 'A', op: 'contains', value: '' }, /non-empty text/],
      [{ field: 'A', op: 'isAnyOf', value: [] }, /non-empty array/],
      [{ field: 'A', op: 'isEmpty', value: 'x' }, /takes no value/],
      [{ field: 'A', op: '=', value: 'x', timeZone: 'UTC' }, /timeZone only applies/],
      [
        { field: 'When', op: 'isOn', value: '2026-01-01' },
        /\.timeZone: date conditions need "timeZone"/,
      ],
      [{ field: 'When', op: 'isOn', value: '2026-01-01', timeZone: 'Mars/Olympus' }, /not an IANA/],
      [{ field: 'When', op: 'isOn', value: '2026-02-30', timeZone: 'UTC' }, /is not a date/],
      [{ field: 'When', op: 'isWithin', value: 'someday', timeZone: 'UTC' }, /needs a period/],
      [
        { field: 'When', op: 'isWithin', value: 'pastNumberOfDays', timeZone: 'UTC' },
        /needs "days"/,
      ],
      [{ field: 'back\\slash', op: 'isEmpty' }, /\.field: field "back\\slash" cannot be used/],
      [{ op: 'isEmpty' }, /\.field: a condition needs "field"/],
    ];
    for (const [node, re] of bad) {
      let caught: unknown;
      try {
        compileFilter(node, opts);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(FilterError);
      expect((caught as Error).message).toMatch(re);
    }
    let deep: FilterNode = { field: 'A', op: 'isEmpty' };
    for (let i = 0; i < 9; i++) deep = { not: deep };
    expect(() => compileFilter(deep, opts)).toThrow(/nesting is limited to 8/);
    const wide: FilterNode = {
      or: Array.from({ length: 100 }, () => ({
        and: [
          { field: 'A', op: 'isEmpty' as const },
          { field: 'B', op: 'isEmpty' as const },
        ],
      })),
    };
    expect(() => compileFilter(wide, opts)).toThrow(/at most 200/);
  });

  it('a callback problem gets the path of the condition', () => {
    const err = (() => {
      try {
        compileFilter(
          { and: [{ field: 'Name', op: 'isOn', value: 'today', timeZone: 'UTC' }] },
          {
            now: NOW,
            dateKind: () => {
              throw new FilterError('', 'field "Name" is a singleLineText field');
            },
          },
        );
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(err?.message).toBe('filter.and[0].field: field "Name" is a singleLineText field');
  });
});

describe('allOf and balancedFormula', () => {
  it('ANDs what is given, skipping nothing-s', () => {
    expect(allOf([undefined, 'A', ' ', 'B'])).toBe('AND(A, B)');
    expect(allOf(['A'])).toBe('A');
    expect(allOf([])).toBeUndefined();
  });

  it('spots a raw formula that would close AND( early', () => {
    expect(balancedFormula('AND({a)} = ")(", \'(\')')).toBe(true);
    expect(balancedFormula('TRUE()) + (TRUE()')).toBe(false);
    expect(balancedFormula('{x')).toBe(false);
    expect(balancedFormula('"abc')).toBe(false);
    expect(balancedFormula('(1')).toBe(false);
  });
});
