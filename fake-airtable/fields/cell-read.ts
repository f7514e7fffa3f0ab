/**
 * Reading cells: stored values, computed fields (autoNumber, createdTime, lastModifiedTime, count,
 * formula, lookup, rollup) and the value a formula sees for each field type.
 */
import { evaluateSafely } from '../formula/evaluator';
import type { Expr } from '../formula/ast';
import type { FormulaEnv } from '../formula/functions';
import { parseFormula } from '../formula/parser';
import { FormulaRuntimeError, toText, type FValue } from '../formula/values';
import type { Base, CellValue, Field, RecordRow, Table } from '../state/model';
import { findField, primaryField } from '../state/store';

/** What a cell reads as: a stored value, a computed value, or a formula error. */
export type OutputValue = CellValue | FValue | { error: string } | undefined;

const MAX_DEPTH = 8;
const parsed = new Map<string, Expr>();

function parseCached(formula: string): Expr {
  let e = parsed.get(formula);
  if (!e) {
    e = parseFormula(formula);
    parsed.set(formula, e);
  }
  return e;
}

export interface ReadContext {
  base: Base;
  now: number;
}

export function readCell(
  rc: ReadContext,
  table: Table,
  row: RecordRow,
  field: Field,
  depth = 0,
): OutputValue {
  switch (field.type) {
    case 'autoNumber':
      return row.autoNumber;
    case 'createdTime':
      return new Date(row.createdTime).toISOString();
    case 'lastModifiedTime':
      return new Date(row.lastModifiedTime).toISOString();
    case 'count': {
      const link = field.options?.recordLinkFieldId;
      const v = link ? row.cells.get(link) : undefined;
      return Array.isArray(v) ? v.length : 0;
    }
    case 'multipleLookupValues':
      return depth > MAX_DEPTH ? { error: '#ERROR!' } : lookupValues(rc, table, row, field, depth);
    case 'rollup': {
      if (depth > MAX_DEPTH) return { error: '#ERROR!' };
      let expr: Expr;
      try {
        expr = parseCached(field.options?.formula ?? 'ARRAYJOIN(values)');
      } catch {
        return { error: '#ERROR!' };
      }
      const values = lookupValues(rc, table, row, field, depth) as FValue[];
      return evaluateSafely(expr, {
        // Airtable's rollup formulas read the linked values as `values`.
        field(name: string): FValue {
          if (name.toLowerCase() !== 'values')
            throw new FormulaRuntimeError(`unknown field ${name}`);
          return values;
        },
        recordId: row.id,
        createdTime: new Date(row.createdTime).toISOString(),
        lastModifiedTime: new Date(row.lastModifiedTime).toISOString(),
        now: rc.now,
      });
    }
    case 'formula': {
      if (depth > MAX_DEPTH) return { error: '#ERROR!' };
      let expr: Expr;
      try {
        expr = parseCached(field.options?.formula ?? '');
      } catch {
        return { error: '#ERROR!' };
      }
      const v = evaluateSafely(expr, formulaEnv(rc, table, row, depth + 1));
      return v;
    }
    default:
      return row.cells.get(field.id);
  }
}

/** The link field and linked-table field a lookup or rollup reads. */
export function linkedField(
  base: Base,
  table: Table,
  field: Field,
): { link: Field; target: Table; field: Field } | undefined {
  const link = table.fields.find((f) => f.id === field.options?.recordLinkFieldId);
  const target = base.tables.find((t) => t.id === link?.options?.linkedTableId);
  const looked = target?.fields.find((f) => f.id === field.options?.fieldIdInLinkedTable);
  return link && target && looked ? { link, target, field: looked } : undefined;
}

/** The values of the linked records' field, flattened, empty ones left out (as Airtable shows). */
function lookupValues(
  rc: ReadContext,
  table: Table,
  row: RecordRow,
  field: Field,
  depth: number,
): OutputValue {
  const where = linkedField(rc.base, table, field);
  if (!where) return { error: '#ERROR!' };
  const ids = row.cells.get(where.link.id);
  const out: unknown[] = [];
  for (const id of Array.isArray(ids) ? (ids as string[]) : []) {
    const linkedRow = where.target.records.get(id);
    if (!linkedRow) continue;
    const v = readCell(rc, where.target, linkedRow, where.field, depth + 1);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return { error: '#ERROR!' };
    if (Array.isArray(v)) out.push(...(v as unknown[]));
    else if (!isEmptyValue(v)) out.push(v);
  }
  return out as CellValue;
}

/** The display text of a record: its primary field as text (what links show in formulas). */
export function primaryText(rc: ReadContext, table: Table, row: RecordRow, depth = 0): string {
  const v = readCell(rc, table, row, primaryField(table), depth);
  return v === undefined || (typeof v === 'object' && v !== null && !Array.isArray(v))
    ? ''
    : toText(v as FValue);
}

function asFormulaValue(rc: ReadContext, field: Field, value: OutputValue, depth: number): FValue {
  if (value === undefined || value === null) {
    // An unchecked checkbox is FALSE() in formulas; every other empty cell is BLANK().
    return field.type === 'checkbox' ? false : null;
  }
  if (typeof value === 'object' && !Array.isArray(value)) {
    throw new FormulaRuntimeError(`field "${field.name}" has an error`);
  }
  if (field.type === 'multipleRecordLinks' && Array.isArray(value)) {
    const target = rc.base.tables.find((t) => t.id === field.options?.linkedTableId);
    return (value as string[]).map((id) => {
      const r = target?.records.get(id);
      return r && target ? primaryText(rc, target, r, depth + 1) : '';
    });
  }
  if (field.type === 'multipleAttachments' && Array.isArray(value))
    return (value as { filename?: string }[]).map((a) => a.filename ?? '');
  return value as FValue;
}

export function formulaEnv(rc: ReadContext, table: Table, row: RecordRow, depth = 0): FormulaEnv {
  return {
    field(name: string): FValue {
      const field = findField(table, name);
      if (!field) throw new FormulaRuntimeError(`unknown field ${name}`);
      if (depth > MAX_DEPTH) throw new FormulaRuntimeError('formula nesting too deep');
      return asFormulaValue(rc, field, readCell(rc, table, row, field, depth), depth);
    },
    recordId: row.id,
    createdTime: new Date(row.createdTime).toISOString(),
    lastModifiedTime: new Date(row.lastModifiedTime).toISOString(),
    now: rc.now,
  };
}

/** True for the values Airtable leaves out of responses. */
export function isEmptyValue(v: OutputValue): boolean {
  return (
    v === undefined || v === null || v === '' || v === false || (Array.isArray(v) && v.length === 0)
  );
}
