/**
 * Formula values and Airtable's coercions: blank is null; arrays (multi-selects, links) become
 * ", "-joined text where text is needed; booleans are 1/0 in arithmetic.
 */
export type FValue = null | number | string | boolean | FValue[];

/** A runtime error: the formula evaluates to #ERROR! (a filter then drops the record). */
export class FormulaRuntimeError extends Error {
  override name = 'FormulaRuntimeError';
}

export function toText(v: FValue): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'NaN';
  return v.map(toText).join(', ');
}

export function toNumber(v: FValue): number {
  if (v === null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const text = toText(v).trim();
  if (text === '') return 0;
  const n = Number(text);
  if (Number.isNaN(n)) throw new FormulaRuntimeError(`"${text}" is not a number`);
  return n;
}

export function isTruthy(v: FValue): boolean {
  if (v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string') return v !== '';
  return v.some(isTruthy);
}

function isNumeric(v: FValue): v is number | boolean {
  return typeof v === 'number' || typeof v === 'boolean';
}

function numericText(v: FValue): number | undefined {
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isNaN(n) ? undefined : n;
}

/** Three-way comparison: numbers numerically, text lexically (ISO dates sort correctly). */
export function compare(a: FValue, b: FValue): number {
  if (isNumeric(a) || isNumeric(b)) {
    const x = isNumeric(a) ? toNumber(a) : a === null ? 0 : numericText(a);
    const y = isNumeric(b) ? toNumber(b) : b === null ? 0 : numericText(b);
    if (x !== undefined && y !== undefined) return x === y ? 0 : x < y ? -1 : 1;
  }
  const s = toText(a);
  const t = toText(b);
  return s === t ? 0 : s < t ? -1 : 1;
}

export function equals(a: FValue, b: FValue): boolean {
  return compare(a, b) === 0;
}
