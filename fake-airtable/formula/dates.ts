/**
 * Date functions of Airtable formulas that the fake models (support.airtable.com "Formula field
 * reference", date and time functions): IS_BEFORE, IS_AFTER, IS_SAME, DATETIME_DIFF and
 * DATETIME_PARSE without a format. Dates travel as ISO 8601 text, as the fake stores them: a
 * date-only value ("2026-03-29") is midnight GMT, as Airtable reads date fields in formulas.
 * A blank or unreadable date is a runtime error (#ERROR!), as in Airtable.
 */
import { FormulaRuntimeError, type FValue } from './values';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME =
  /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

/** The instant a formula value stands for (ms since the epoch). */
export function toInstant(v: FValue): number {
  // A lookup of one date reads as that date.
  if (Array.isArray(v) && v.length === 1) return toInstant(v[0]!);
  if (typeof v !== 'string') throw new FormulaRuntimeError('not a date');
  const text = v.trim();
  let ms = Number.NaN;
  if (DAY.test(text)) ms = Date.parse(`${text}T00:00:00.000Z`);
  else if (DATE_TIME.test(text)) {
    const iso = text.replace(' ', 'T');
    // Without an offset Airtable reads GMT.
    ms = Date.parse(/(?:Z|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`);
  }
  if (Number.isNaN(ms)) throw new FormulaRuntimeError(`"${text}" is not a date`);
  return ms;
}

const UNITS: Record<string, number> = {
  milliseconds: 1,
  ms: 1,
  seconds: 1000,
  s: 1000,
  minutes: 60_000,
  m: 60_000,
  hours: 3_600_000,
  h: 3_600_000,
  days: 86_400_000,
  d: 86_400_000,
  weeks: 604_800_000,
  w: 604_800_000,
};

function unitOf(v: FValue | undefined): string {
  if (v === undefined) return 'milliseconds';
  if (typeof v !== 'string') throw new FormulaRuntimeError('a unit must be text');
  return v.toLowerCase();
}

/** Truncates `ms` to the start of its unit (GMT), for IS_SAME. */
function truncate(ms: number, unit: string): number {
  const d = new Date(ms);
  switch (unit) {
    case 'years':
    case 'y':
      return Date.UTC(d.getUTCFullYear(), 0, 1);
    case 'months':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    default: {
      const size = UNITS[unit];
      if (!size) throw new FormulaRuntimeError(`unknown unit "${unit}"`);
      return Math.floor(ms / size) * size;
    }
  }
}

export function isSame(a: FValue, b: FValue, unit: FValue | undefined): boolean {
  const u = unit === undefined ? 'milliseconds' : unitOf(unit);
  return truncate(toInstant(a), u) === truncate(toInstant(b), u);
}

/** DATETIME_DIFF(date1, date2, unit): date1 - date2 in whole units (truncated toward zero). */
export function datetimeDiff(a: FValue, b: FValue, unit: FValue | undefined): number {
  const u = unitOf(unit);
  const x = toInstant(a);
  const y = toInstant(b);
  if (u === 'months' || u === 'years' || u === 'y') {
    const dx = new Date(x);
    const dy = new Date(y);
    const months =
      (dx.getUTCFullYear() - dy.getUTCFullYear()) * 12 + (dx.getUTCMonth() - dy.getUTCMonth());
    return u === 'months' ? months : Math.trunc(months / 12);
  }
  const size = UNITS[u];
  if (!size) throw new FormulaRuntimeError(`unknown unit "${u}"`);
  return Math.trunc((x - y) / size);
}

/** DATETIME_PARSE(text): ISO 8601 only; the fake does not model input formats or locales. */
export function datetimeParse(text: FValue, format: FValue | undefined): string {
  if (format !== undefined)
    throw new FormulaRuntimeError('the fake models DATETIME_PARSE without a format only');
  return new Date(toInstant(text)).toISOString();
}
