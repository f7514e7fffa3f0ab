/**
 * Structured filters: a JSON tree of conditions (and / or / not over {field, op, value}) compiled
 * into an Airtable formula for filterByFormula (support.airtable.com "Formula field reference").
 *
 * Safety: every value becomes a string or number literal (formulaStringLiteral escapes quotes and
 * backslashes) and every field a `{...}` reference (formulaFieldRef escapes `}`), so no value or
 * field name can add formula syntax. Meaning: each condition compiles to an expression that is
 * truthy exactly when the condition holds and never evaluates to #ERROR!, so `not` is a plain
 * negation. An empty cell satisfies no comparison; it satisfies isEmpty, !=, notContains, isNoneOf
 * and hasNoneOf.
 *
 * Dates: Airtable formulas compare instants (IS_BEFORE / IS_AFTER). SET_TIMEZONE only changes how
 * DATETIME_FORMAT renders a date, so "on 2026-03-29 in Europe/Paris" is compiled to the UTC
 * instants that local day starts and ends (computed here with the zone's rules) and compared with
 * IS_BEFORE / IS_AFTER against DATETIME_PARSE("...Z"). Date-only fields have no time zone (they
 * read as midnight GMT), so they are compared by day, never shifted.
 */
import { formulaFieldRef, formulaStringLiteral, canReferenceField } from './formula';
import {
  addDays,
  addMonths,
  canonicalTimeZone,
  dayOf,
  formatDay,
  parseDay,
  startOfDay,
  zonedTimeToInstant,
  type CalendarDay,
} from './zoned-time';

export const COMPARISON_OPS = ['=', '!=', '<', '<=', '>', '>='] as const;
export const TEXT_OPS = ['contains', 'notContains', 'startsWith', 'endsWith'] as const;
export const EMPTY_OPS = ['isEmpty', 'isNotEmpty'] as const;
export const LIST_OPS = ['isAnyOf', 'isNoneOf', 'hasAnyOf', 'hasAllOf', 'hasNoneOf'] as const;
export const DATE_OPS = [
  'isBefore',
  'isAfter',
  'isOnOrBefore',
  'isOnOrAfter',
  'isOn',
  'isWithin',
] as const;
export const FILTER_OPS = [
  ...COMPARISON_OPS,
  ...TEXT_OPS,
  ...EMPTY_OPS,
  ...LIST_OPS,
  ...DATE_OPS,
] as const;
export type FilterOp = (typeof FILTER_OPS)[number];
type DateOp = (typeof DATE_OPS)[number];

export const WITHIN_PERIODS = [
  'pastWeek',
  'pastMonth',
  'pastYear',
  'nextWeek',
  'nextMonth',
  'nextYear',
  'pastNumberOfDays',
  'nextNumberOfDays',
] as const;

export type FilterScalar = string | number | boolean;

export interface FilterNode {
  and?: FilterNode[] | undefined;
  or?: FilterNode[] | undefined;
  not?: FilterNode | undefined;
  field?: string | undefined;
  op?: FilterOp | undefined;
  value?: FilterScalar | (string | number)[] | undefined;
  caseSensitive?: boolean | undefined;
  timeZone?: string | undefined;
  days?: number | undefined;
}

/** How a field holds dates: calendar days (date fields) or instants (dateTime, createdTime...). */
export type DateKind = 'day' | 'instant';

export interface CompileOptions {
  /**
   * The date kind of a field named in a date condition. Callbacks report problems by throwing a
   * FilterError with an empty path; the compiler puts the condition's path in.
   */
  dateKind(field: string): DateKind;
  /** The field's name for formulas (maps field ids to names); identity by default. */
  fieldName?(field: string): string;
  /** "Now", for today / isWithin (ms since the epoch). */
  now: number;
}

export const MAX_FILTER_DEPTH = 8;
export const MAX_FILTER_NODES = 200;

/** A problem with the filter; `path` is where, e.g. "filter.and[1].value". */
export class FilterError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'FilterError';
  }
}

const isDateOp = (op: FilterOp): op is DateOp => (DATE_OPS as readonly string[]).includes(op);

/** Field names used by date conditions (their date kind must be known before compiling). */
export function dateConditionFields(node: FilterNode): string[] {
  const out = new Set<string>();
  walk(node, (n) => {
    if (n.field !== undefined && n.op !== undefined && isDateOp(n.op)) out.add(n.field);
  });
  return [...out];
}

/** Every field name the filter mentions. */
export function filterFields(node: FilterNode): string[] {
  const out = new Set<string>();
  walk(node, (n) => {
    if (n.field !== undefined) out.add(n.field);
  });
  return [...out];
}

function walk(node: FilterNode, visit: (n: FilterNode) => void, depth = 0): void {
  if (depth > MAX_FILTER_DEPTH + 1) return;
  visit(node);
  for (const c of [...(node.and ?? []), ...(node.or ?? []), ...(node.not ? [node.not] : [])])
    walk(c, visit, depth + 1);
}

/** Compiles a filter tree to an Airtable formula, or throws FilterError saying what to fix. */
export function compileFilter(node: FilterNode, opts: CompileOptions, path = 'filter'): string {
  const counter = { nodes: 0 };
  return compileNode(node, opts, path, 0, counter);
}

function compileNode(
  node: FilterNode,
  opts: CompileOptions,
  path: string,
  depth: number,
  counter: { nodes: number },
): string {
  if (depth > MAX_FILTER_DEPTH)
    throw new FilterError(path, `nesting is limited to ${MAX_FILTER_DEPTH} levels`);
  if (++counter.nodes > MAX_FILTER_NODES)
    throw new FilterError(path, `a filter has at most ${MAX_FILTER_NODES} conditions and groups`);
  const kinds = [
    node.and !== undefined && 'and',
    node.or !== undefined && 'or',
    node.not !== undefined && 'not',
    (node.field !== undefined || node.op !== undefined) && 'condition',
  ].filter((k): k is string => k !== false);
  if (kinds.length !== 1)
    throw new FilterError(
      path,
      kinds.length === 0
        ? 'each part of a filter is {"and": [...]}, {"or": [...]}, {"not": {...}} or a condition {"field", "op", "value"}'
        : `give one of and / or / not / a condition here, not ${kinds.join(' and ')}`,
    );
  const group = node.and ?? node.or;
  if (group !== undefined) {
    const name = node.and !== undefined ? 'and' : 'or';
    if (group.length === 0) throw new FilterError(`${path}.${name}`, 'needs at least one entry');
    const parts = group.map((c, i) =>
      compileNode(c, opts, `${path}.${name}[${i}]`, depth + 1, counter),
    );
    if (parts.length === 1) return parts[0]!;
    return `${name.toUpperCase()}(${parts.join(', ')})`;
  }
  if (node.not !== undefined)
    return `NOT(${compileNode(node.not, opts, `${path}.not`, depth + 1, counter)})`;
  return compileCondition(node, opts, path);
}

function compileCondition(node: FilterNode, opts: CompileOptions, path: string): string {
  const { field, op } = node;
  if (field === undefined || field === '')
    throw new FilterError(`${path}.field`, 'a condition needs "field" (a field name)');
  if (op === undefined) throw new FilterError(`${path}.op`, 'a condition needs "op"');
  const name = atPath(`${path}.field`, () => (opts.fieldName ? opts.fieldName(field) : field));
  if (!canReferenceField(name))
    throw new FilterError(
      `${path}.field`,
      `field "${name}" cannot be used in a formula (its name contains "\\"); rename the field in Airtable`,
    );
  const ref = formulaFieldRef(name);
  const text = `${ref} & ""`;
  const ci = node.caseSensitive !== true;
  const where = `${path}.value`;
  const unexpected = (key: keyof FilterNode, why: string) => {
    if (node[key] !== undefined) throw new FilterError(`${path}.${key}`, why);
  };
  if (!isDateOp(op)) {
    unexpected('timeZone', `timeZone only applies to date conditions, not "${op}"`);
    unexpected('days', 'days only applies to isWithin');
  }
  switch (op) {
    case 'isEmpty':
    case 'isNotEmpty':
      unexpected('value', `"${op}" takes no value`);
      return `${text} ${op === 'isEmpty' ? '=' : '!='} ""`;
    case '=':
    case '!=': {
      const v = node.value;
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
        throw new FilterError(where, `"${op}" needs a text, number or true/false value`);
      const eq = equals(ref, v, ci);
      return op === '=' ? eq : `NOT(${eq})`;
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const v = node.value;
      if (typeof v !== 'number')
        throw new FilterError(
          where,
          `"${op}" compares numbers; for dates use isBefore / isAfter / isOnOrBefore / isOnOrAfter`,
        );
      return `IF(${text} = "", FALSE(), ${ref} ${op} ${numberLiteral(v)})`;
    }
    case 'contains':
    case 'notContains':
    case 'startsWith':
    case 'endsWith': {
      const v = node.value;
      if (typeof v !== 'string' || v === '')
        throw new FilterError(where, `"${op}" needs a non-empty text value`);
      const needle = cased(formulaStringLiteral(v), ci);
      const hay = cased(text, ci);
      if (op === 'startsWith') return `FIND(${needle}, ${hay}) = 1`;
      if (op === 'endsWith') return `FIND(${needle}, RIGHT(${hay}, LEN(${needle}))) = 1`;
      const found = `FIND(${needle}, ${hay}) > 0`;
      return op === 'contains' ? found : `NOT(${found})`;
    }
    case 'isAnyOf':
    case 'isNoneOf': {
      const list = listValue(node, where, op);
      const any =
        list.length === 1
          ? equals(ref, list[0]!, ci)
          : `OR(${list.map((v) => equals(ref, v, ci)).join(', ')})`;
      return op === 'isAnyOf' ? any : `NOT(${any})`;
    }
    case 'hasAnyOf':
    case 'hasAllOf':
    case 'hasNoneOf': {
      const list = listValue(node, where, op);
      // Multiple selects, links and lookups read as their items joined by ", " in formulas:
      // an item matches when ", item, " occurs in ", a, b, c, ".
      const hay = cased(`", " & ${ref} & ", "`, ci);
      const has = (v: string | number) =>
        `FIND(${cased(formulaStringLiteral(`, ${String(v)}, `), ci)}, ${hay}) > 0`;
      const parts = list.map(has);
      const joined =
        parts.length === 1 ? parts[0]! : `${op === 'hasAllOf' ? 'AND' : 'OR'}(${parts.join(', ')})`;
      return op === 'hasNoneOf' ? `NOT(${joined})` : joined;
    }
    default:
      return compileDate(node, op, ref, opts, path);
  }
}

/** Runs a caller's callback, giving its path-less FilterErrors this path. */
function atPath<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof FilterError && err.path === '') throw new FilterError(path, err.reason);
    throw err;
  }
}

function equals(ref: string, v: FilterScalar, ci: boolean): string {
  if (typeof v === 'boolean')
    return v ? `IF(${ref}, TRUE(), FALSE())` : `IF(${ref}, FALSE(), TRUE())`;
  if (typeof v === 'number') return `IF(${ref} & "" = "", FALSE(), ${ref} = ${numberLiteral(v)})`;
  return `${cased(`${ref} & ""`, ci)} = ${cased(formulaStringLiteral(v), ci)}`;
}

function cased(expr: string, ci: boolean): string {
  return ci ? `LOWER(${expr})` : expr;
}

/** A finite number as formula text ("1e+21" and "-5" parse as numbers in Airtable formulas). */
export function numberLiteral(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError('numbers in formulas must be finite');
  return String(n);
}

function listValue(node: FilterNode, where: string, op: string): (string | number)[] {
  const v = node.value;
  if (!Array.isArray(v) || v.length === 0)
    throw new FilterError(where, `"${op}" needs a non-empty array of values`);
  if (v.some((x) => typeof x !== 'string' && typeof x !== 'number'))
    throw new FilterError(where, `"${op}" takes text or number values`);
  return v;
}

// ---- dates ----

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

type DateValue = { kind: 'day'; day: CalendarDay } | { kind: 'instant'; ms: number };

function parseDateValue(raw: unknown, timeZone: string, now: number, where: string): DateValue {
  if (typeof raw !== 'string')
    throw new FilterError(
      where,
      'a date condition needs a date "YYYY-MM-DD", a date-time "YYYY-MM-DDTHH:mm[:ss][Z|+hh:mm]", or "today" / "tomorrow" / "yesterday"',
    );
  const today = dayOf(now, timeZone);
  const relative: Record<string, number> = { today: 0, tomorrow: 1, yesterday: -1 };
  const shift = relative[raw.toLowerCase()];
  if (shift !== undefined) return { kind: 'day', day: addDays(today, shift) };
  const day = parseDay(raw);
  if (day) return { kind: 'day', day };
  const m = DATE_TIME.exec(raw);
  const d = m ? parseDay(`${m[1]}-${m[2]}-${m[3]}`) : undefined;
  if (!m || !d || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)
    throw new FilterError(where, `"${raw}" is not a date (YYYY-MM-DD) or date-time (ISO 8601)`);
  const ms = Number((m[7] ?? '0').slice(0, 3).padEnd(3, '0'));
  if (m[8]) {
    const t = Date.parse(
      `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}.${String(ms).padStart(3, '0')}${m[8] === 'Z' ? 'Z' : m[8].replace(/^([+-]\d{2}):?(\d{2})$/, '$1:$2')}`,
    );
    if (Number.isNaN(t)) throw new FilterError(where, `"${raw}" is not a valid date-time`);
    return { kind: 'instant', ms: t };
  }
  const wall = { h: Number(m[4]), mi: Number(m[5]), s: Number(m[6] ?? 0), ms };
  return { kind: 'instant', ms: zonedTimeToInstant(d, wall, timeZone) };
}

const instantLiteral = (ms: number) =>
  `DATETIME_PARSE(${formulaStringLiteral(new Date(ms).toISOString())})`;
const dayLiteral = (day: CalendarDay) => `DATETIME_PARSE(${formulaStringLiteral(formatDay(day))})`;

/** Local days [from, to] (inclusive) that an isWithin period covers, relative to today. */
function withinDays(
  node: FilterNode,
  today: CalendarDay,
  path: string,
): [CalendarDay, CalendarDay] {
  const period = node.value;
  const byDays = period === 'pastNumberOfDays' || period === 'nextNumberOfDays';
  if (byDays) {
    if (
      node.days === undefined ||
      !Number.isInteger(node.days) ||
      node.days < 0 ||
      node.days > 36_500
    )
      throw new FilterError(
        `${path}.days`,
        `"${period}" needs "days", a whole number from 0 to 36500`,
      );
  } else if (node.days !== undefined) {
    throw new FilterError(
      `${path}.days`,
      'days only applies to pastNumberOfDays / nextNumberOfDays',
    );
  }
  switch (period) {
    case 'pastWeek':
      return [addDays(today, -7), today];
    case 'pastMonth':
      return [addMonths(today, -1), today];
    case 'pastYear':
      return [addMonths(today, -12), today];
    case 'nextWeek':
      return [today, addDays(today, 7)];
    case 'nextMonth':
      return [today, addMonths(today, 1)];
    case 'nextYear':
      return [today, addMonths(today, 12)];
    case 'pastNumberOfDays':
      return [addDays(today, -node.days!), today];
    case 'nextNumberOfDays':
      return [today, addDays(today, node.days!)];
    default:
      throw new FilterError(
        `${path}.value`,
        `isWithin needs a period: ${WITHIN_PERIODS.join(', ')} (with "days" for the last two)`,
      );
  }
}

function compileDate(
  node: FilterNode,
  op: DateOp,
  ref: string,
  opts: CompileOptions,
  path: string,
): string {
  if (node.caseSensitive !== undefined)
    throw new FilterError(`${path}.caseSensitive`, 'caseSensitive only applies to text conditions');
  if (node.timeZone === undefined)
    throw new FilterError(
      `${path}.timeZone`,
      'date conditions need "timeZone", an IANA name such as "Europe/Paris", "America/New_York" or "UTC" (the day boundaries depend on it)',
    );
  const tz = canonicalTimeZone(node.timeZone);
  if (!tz)
    throw new FilterError(`${path}.timeZone`, `"${node.timeZone}" is not an IANA time zone name`);
  const kind = atPath(`${path}.field`, () => opts.dateKind(node.field!));
  const today = dayOf(opts.now, tz);
  let from: CalendarDay;
  let to: CalendarDay;
  let instant: number | undefined;
  if (op === 'isWithin') {
    [from, to] = withinDays(node, today, path);
  } else {
    if (node.days !== undefined)
      throw new FilterError(`${path}.days`, 'days only applies to isWithin');
    const v = parseDateValue(node.value, tz, opts.now, `${path}.value`);
    if (v.kind === 'day') from = to = v.day;
    else {
      from = to = dayOf(v.ms, tz);
      // Before / after an exact moment compares instants; a date field only has days.
      if (kind === 'instant' && op !== 'isOn') instant = v.ms;
    }
  }
  const core =
    kind === 'day'
      ? dayCondition(op, ref, from, to)
      : instant !== undefined
        ? instantCondition(op, ref, instant)
        : rangeCondition(op, ref, startOfDay(from, tz), startOfDay(addDays(to, 1), tz));
  // Empty cells satisfy no date condition (and IS_BEFORE(BLANK(), ...) would be #ERROR!).
  return `IF(${ref} & "" = "", FALSE(), ${core})`;
}

/** Date-only fields: compare whole days. */
function dayCondition(op: DateOp, ref: string, from: CalendarDay, to: CalendarDay): string {
  const f = dayLiteral(from);
  const t = dayLiteral(to);
  switch (op) {
    case 'isBefore':
      return `IS_BEFORE(${ref}, ${f})`;
    case 'isAfter':
      return `IS_AFTER(${ref}, ${t})`;
    case 'isOnOrBefore':
      return `NOT(IS_AFTER(${ref}, ${t}))`;
    case 'isOnOrAfter':
      return `NOT(IS_BEFORE(${ref}, ${f}))`;
    default:
      return `AND(NOT(IS_BEFORE(${ref}, ${f})), NOT(IS_AFTER(${ref}, ${t})))`;
  }
}

/** Instants against local days [start, end): start of the first day, start of the day after the last. */
function rangeCondition(op: DateOp, ref: string, start: number, end: number): string {
  const s = instantLiteral(start);
  const e = instantLiteral(end);
  switch (op) {
    case 'isBefore':
      return `IS_BEFORE(${ref}, ${s})`;
    case 'isAfter':
      return `NOT(IS_BEFORE(${ref}, ${e}))`;
    case 'isOnOrBefore':
      return `IS_BEFORE(${ref}, ${e})`;
    case 'isOnOrAfter':
      return `NOT(IS_BEFORE(${ref}, ${s}))`;
    default:
      return `AND(NOT(IS_BEFORE(${ref}, ${s})), IS_BEFORE(${ref}, ${e}))`;
  }
}

/** Instants against an exact moment. */
function instantCondition(op: DateOp, ref: string, ms: number): string {
  const t = instantLiteral(ms);
  switch (op) {
    case 'isBefore':
      return `IS_BEFORE(${ref}, ${t})`;
    case 'isAfter':
      return `IS_AFTER(${ref}, ${t})`;
    case 'isOnOrBefore':
      return `NOT(IS_AFTER(${ref}, ${t}))`;
    default:
      return `NOT(IS_BEFORE(${ref}, ${t}))`;
  }
}

/**
 * True when `formula` is one self-contained expression as far as nesting goes: parentheses
 * balance outside string literals and field references. Checked before a caller's raw formula is
 * put inside AND(filter, raw), so it cannot close the AND early and escape the filter.
 */
export function balancedFormula(formula: string): boolean {
  let depth = 0;
  for (let i = 0; i < formula.length; i++) {
    const c = formula[i]!;
    if (c === '"' || c === "'") {
      for (i++; i < formula.length && formula[i] !== c; i++) if (formula[i] === '\\') i++;
      if (i >= formula.length) return false;
    } else if (c === '{') {
      for (i++; i < formula.length && formula[i] !== '}'; i++) if (formula[i] === '\\') i++;
      if (i >= formula.length) return false;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

/** filterByFormula for records matching every given formula (the filter, a search, a raw one). */
export function allOf(formulas: readonly (string | undefined)[]): string | undefined {
  const parts = formulas.filter((f): f is string => f !== undefined && f.trim() !== '');
  if (parts.length <= 1) return parts[0];
  return `AND(${parts.join(', ')})`;
}
