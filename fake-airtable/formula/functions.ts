/**
 * The functions the fake evaluates (support.airtable.com "Formula field reference"). Arguments
 * arrive as thunks so IF() only evaluates the branch it takes, as Airtable does.
 */
import { datetimeDiff, datetimeParse, isSame, toInstant } from './dates';
import { FormulaRuntimeError, isTruthy, toNumber, toText, type FValue } from './values';

export interface FormulaEnv {
  field(name: string): FValue;
  recordId: string;
  createdTime: string;
  lastModifiedTime: string;
  now: number;
}

type Thunk = () => FValue;
interface FnSpec {
  min: number;
  max: number;
  fn(args: Thunk[], env: FormulaEnv): FValue;
}

const ANY = Number.POSITIVE_INFINITY;
const all = (args: Thunk[]) => args.map((a) => a());
const flat = (vs: FValue[]): FValue[] => vs.flatMap((v) => (Array.isArray(v) ? flat(v) : [v]));

function find(args: Thunk[], notFound: FValue): FValue {
  const [needle, hay, start] = all(args);
  const from = start === undefined ? 0 : Math.max(0, toNumber(start ?? null) - 1);
  const i = toText(hay ?? null).indexOf(toText(needle ?? null), from);
  return i < 0 ? notFound : i + 1;
}

/** MIN / MAX: of numbers; of dates (ISO text, as rollups of date fields give) the earliest / latest. */
function extreme(values: FValue[], sign: 1 | -1): FValue {
  const present = values.filter((v) => v !== null && v !== '');
  const dates = present.filter(
    (v): v is string => typeof v === 'string' && Number.isNaN(Number(v)),
  );
  if (dates.length > 0 && dates.length === present.length) {
    const ms = dates.map(toInstant);
    const best = sign > 0 ? Math.max(...ms) : Math.min(...ms);
    return dates[ms.indexOf(best)]!;
  }
  const nums = present.map(toNumber);
  if (nums.length === 0) return null;
  return sign > 0 ? Math.max(...nums) : Math.min(...nums);
}

export const FUNCTIONS: Record<string, FnSpec> = {
  AND: { min: 1, max: ANY, fn: (a) => flat(all(a)).every(isTruthy) },
  OR: { min: 1, max: ANY, fn: (a) => flat(all(a)).some(isTruthy) },
  NOT: { min: 1, max: 1, fn: (a) => !isTruthy(a[0]!()) },
  XOR: { min: 1, max: ANY, fn: (a) => flat(all(a)).filter(isTruthy).length % 2 === 1 },
  IF: {
    min: 2,
    max: 3,
    fn: (a) => (isTruthy(a[0]!()) ? a[1]!() : a[2] ? a[2]() : null),
  },
  BLANK: { min: 0, max: 0, fn: () => null },
  TRUE: { min: 0, max: 0, fn: () => true },
  FALSE: { min: 0, max: 0, fn: () => false },
  /** FIND: 1-based position, 0 when absent (case-sensitive). */
  FIND: { min: 2, max: 3, fn: (a) => find(a, 0) },
  /** SEARCH: like FIND but blank when absent. */
  SEARCH: { min: 2, max: 3, fn: (a) => find(a, null) },
  LOWER: { min: 1, max: 1, fn: (a) => toText(a[0]!()).toLowerCase() },
  UPPER: { min: 1, max: 1, fn: (a) => toText(a[0]!()).toUpperCase() },
  LEN: { min: 1, max: 1, fn: (a) => toText(a[0]!()).length },
  TRIM: { min: 1, max: 1, fn: (a) => toText(a[0]!()).trim() },
  CONCATENATE: { min: 1, max: ANY, fn: (a) => all(a).map(toText).join('') },
  ARRAYJOIN: {
    min: 1,
    max: 2,
    fn: (a) => {
      const v = a[0]!();
      const sep = a[1] ? toText(a[1]()) : ', ';
      return Array.isArray(v) ? flat(v).map(toText).join(sep) : toText(v);
    },
  },
  RECORD_ID: { min: 0, max: 0, fn: (_a, env) => env.recordId },
  CREATED_TIME: { min: 0, max: 0, fn: (_a, env) => env.createdTime },
  LAST_MODIFIED_TIME: { min: 0, max: ANY, fn: (_a, env) => env.lastModifiedTime },
  NOW: { min: 0, max: 0, fn: (_a, env) => new Date(env.now).toISOString() },
  TODAY: { min: 0, max: 0, fn: (_a, env) => new Date(env.now).toISOString().slice(0, 10) },
  /** VALUE: the number in a text, ignoring currency symbols and thousands separators. */
  VALUE: {
    min: 1,
    max: 1,
    fn: (a) => {
      const text = toText(a[0]!()).replace(/[^0-9.eE+-]/g, '');
      if (text === '') return null;
      const n = Number(text);
      if (Number.isNaN(n)) throw new FormulaRuntimeError('VALUE() of a non-number');
      return n;
    },
  },
  LEFT: { min: 2, max: 2, fn: (a) => toText(a[0]!()).slice(0, toNumber(a[1]!())) },
  RIGHT: {
    min: 2,
    max: 2,
    fn: (a) => {
      const s = toText(a[0]!());
      const n = toNumber(a[1]!());
      return n <= 0 ? '' : s.slice(-n);
    },
  },
  MID: {
    min: 3,
    max: 3,
    fn: (a) => {
      const start = Math.max(1, toNumber(a[1]!()));
      return toText(a[0]!()).substr(start - 1, toNumber(a[2]!()));
    },
  },
  SUBSTITUTE: {
    min: 3,
    max: 4,
    fn: (a) => {
      const [s, from, to, index] = all(a).map((v) => v ?? null);
      const text = toText(s ?? null);
      const old = toText(from ?? null);
      if (old === '') return text;
      if (index === undefined) return text.split(old).join(toText(to ?? null));
      const parts = text.split(old);
      const n = toNumber(index);
      if (n < 1 || n >= parts.length) return text;
      return parts.slice(0, n).join(old) + toText(to ?? null) + parts.slice(n).join(old);
    },
  },
  REPT: { min: 2, max: 2, fn: (a) => toText(a[0]!()).repeat(Math.max(0, toNumber(a[1]!()))) },
  ABS: { min: 1, max: 1, fn: (a) => Math.abs(toNumber(a[0]!())) },
  ROUND: {
    min: 1,
    max: 2,
    fn: (a) => {
      const p = a[1] ? toNumber(a[1]()) : 0;
      const f = 10 ** p;
      return Math.round(toNumber(a[0]!()) * f) / f;
    },
  },
  INT: { min: 1, max: 1, fn: (a) => Math.floor(toNumber(a[0]!())) },
  SUM: { min: 1, max: ANY, fn: (a) => flat(all(a)).reduce<number>((s, v) => s + toNumber(v), 0) },
  MAX: { min: 1, max: ANY, fn: (a) => extreme(flat(all(a)), 1) },
  MIN: { min: 1, max: ANY, fn: (a) => extreme(flat(all(a)), -1) },
  COUNTA: { min: 1, max: ANY, fn: (a) => flat(all(a)).filter(isTruthy).length },
  ISERROR: {
    min: 1,
    max: 1,
    fn: (a) => {
      try {
        a[0]!();
        return false;
      } catch (err) {
        if (err instanceof FormulaRuntimeError) return true;
        throw err;
      }
    },
  },
  IS_BEFORE: { min: 2, max: 2, fn: (a) => toInstant(a[0]!()) < toInstant(a[1]!()) },
  IS_AFTER: { min: 2, max: 2, fn: (a) => toInstant(a[0]!()) > toInstant(a[1]!()) },
  IS_SAME: { min: 2, max: 3, fn: (a) => isSame(a[0]!(), a[1]!(), a[2]?.()) },
  DATETIME_DIFF: { min: 2, max: 3, fn: (a) => datetimeDiff(a[0]!(), a[1]!(), a[2]?.()) },
  DATETIME_PARSE: { min: 1, max: 3, fn: (a) => datetimeParse(a[0]!(), a[1]?.()) },
  REGEX_MATCH: {
    min: 2,
    max: 2,
    fn: (a) => {
      try {
        return new RegExp(toText(a[1]!())).test(toText(a[0]!()));
      } catch {
        throw new FormulaRuntimeError('invalid regular expression');
      }
    },
  },
};
