/**
 * Running a list query: view, filterByFormula, sort and maxRecords, then paging through an
 * iterator. Offsets look like Airtable's (`itr.../rec...`) and stop working after a while or when
 * reused with a different query: 422 LIST_RECORDS_ITERATOR_NOT_AVAILABLE.
 */
import type { FakeContext } from '../context';
import { formulaEnv, type ReadContext } from '../fields/cell-read';
import { evaluateSafely } from '../formula/evaluator';
import type { Expr } from '../formula/ast';
import { FormulaSyntaxError } from '../formula/lexer';
import { parseFormula, referencedFields } from '../formula/parser';
import { compare, isTruthy, type FValue } from '../formula/values';
import { ApiError } from '../http/errors';
import { isId, newId } from '../ids';
import type { RecordRow, Table } from '../state/model';
import { findField } from '../state/store';
import type { ListParams } from './records-params';
import { unknownField } from './records-access';

const invalidOffset = () =>
  new ApiError(
    422,
    'LIST_RECORDS_ITERATOR_NOT_AVAILABLE',
    'The offset is invalid, expired, or belongs to another query: start listing again without offset.',
  );

/** Parses filterByFormula; syntax errors and unknown fields are 422 INVALID_FILTER_BY_FORMULA. */
export function compileFilter(table: Table, formula: string): Expr {
  let expr: Expr;
  try {
    expr = parseFormula(formula);
  } catch (err) {
    if (err instanceof FormulaSyntaxError)
      throw new ApiError(
        422,
        'INVALID_FILTER_BY_FORMULA',
        `The formula for filtering records is invalid: Invalid formula. Please check your formula text. (${err.message})`,
      );
    throw err;
  }
  const unknown = [...referencedFields(expr)].filter((n) => !findField(table, n));
  if (unknown.length)
    throw new ApiError(
      422,
      'INVALID_FILTER_BY_FORMULA',
      `The formula for filtering records is invalid: Unknown field names: ${unknown.join(', ')}`,
    );
  return expr;
}

function matching(rc: ReadContext, table: Table, rows: RecordRow[], expr: Expr): RecordRow[] {
  return rows.filter((row) => {
    const v = evaluateSafely(expr, formulaEnv(rc, table, row));
    return !(typeof v === 'object' && v !== null && !Array.isArray(v)) && isTruthy(v as FValue);
  });
}

function sortRows(
  rc: ReadContext,
  table: Table,
  rows: RecordRow[],
  sort: { field: string; direction: 'asc' | 'desc' }[],
): RecordRow[] {
  const keys = sort.map((s) => {
    const f = findField(table, s.field);
    if (!f) throw unknownField(s.field);
    return { name: f.name, sign: s.direction === 'desc' ? -1 : 1 };
  });
  const value = (row: RecordRow, name: string): FValue => {
    try {
      return formulaEnv(rc, table, row).field(name);
    } catch {
      return null;
    }
  };
  return rows
    .map((row, i) => ({ row, i, vals: keys.map((k) => value(row, k.name)) }))
    .sort((a, b) => {
      for (let k = 0; k < keys.length; k++) {
        const x = a.vals[k]!;
        const y = b.vals[k]!;
        // Blanks sort first ascending, last descending.
        const c = x === null || y === null ? (x === y ? 0 : x === null ? -1 : 1) : compare(x, y);
        if (c !== 0) return c * keys[k]!.sign;
      }
      return a.i - b.i;
    })
    .map((x) => x.row);
}

function queryIds(rc: ReadContext, table: Table, p: ListParams): string[] {
  let rows = [...table.records.values()];
  let sort = p.sort;
  if (p.view !== undefined) {
    const view = table.views.find((v) => v.id === p.view || v.name === p.view);
    if (!view)
      throw new ApiError(
        422,
        'VIEW_NAME_NOT_FOUND',
        `Could not find view "${p.view}" in table "${table.name}"`,
      );
    if (view.filterByFormula)
      rows = matching(rc, table, rows, compileFilter(table, view.filterByFormula));
    if (sort.length === 0 && view.sort) sort = view.sort;
  }
  if (p.filterByFormula) rows = matching(rc, table, rows, compileFilter(table, p.filterByFormula));
  if (sort.length) rows = sortRows(rc, table, rows, sort);
  const ids = rows.map((r) => r.id);
  return p.maxRecords !== undefined ? ids.slice(0, p.maxRecords) : ids;
}

/** One page of ids and the offset of the next page, if any. */
export function pageOfIds(
  ctx: FakeContext,
  rc: ReadContext,
  baseId: string,
  table: Table,
  p: ListParams,
): { ids: string[]; offset?: string } {
  const fingerprint = JSON.stringify([p.view, p.filterByFormula, p.sort, p.maxRecords]);
  const now = ctx.clock.now();
  const ttl = ctx.config.listIteratorTtlSeconds * 1000;
  for (const [id, it] of ctx.store.iterators)
    if (now - it.createdAt > ttl) ctx.store.iterators.delete(id);
  let ids: string[];
  let start = 0;
  let iteratorId: string;
  if (p.offset !== undefined) {
    const [itr, rec] = p.offset.split('/');
    if (!itr || !rec || !isId('itr', itr) || !isId('rec', rec)) throw invalidOffset();
    const it = ctx.store.iterators.get(itr);
    if (!it || it.baseId !== baseId || it.tableId !== table.id || it.fingerprint !== fingerprint)
      throw invalidOffset();
    start = it.recordIds.indexOf(rec);
    if (start < 0) throw invalidOffset();
    ids = it.recordIds;
    iteratorId = itr;
  } else {
    ids = queryIds(rc, table, p);
    iteratorId = newId('itr');
    if (ids.length > p.pageSize)
      ctx.store.iterators.set(iteratorId, {
        id: iteratorId,
        baseId,
        tableId: table.id,
        fingerprint,
        recordIds: ids,
        createdAt: now,
      });
  }
  const page = ids.slice(start, start + p.pageSize);
  const next = ids[start + p.pageSize];
  return { ids: page, ...(next ? { offset: `${iteratorId}/${next}` } : {}) };
}
