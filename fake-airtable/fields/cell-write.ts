/**
 * Converting a written value to a stored cell, per field type (airtable.com/developers/web/api/field-model,
 * "cell format" of each type). Without `typecast` a value must already have the right JSON type
 * and select options must exist; with `typecast` Airtable converts strings and numbers, creates
 * missing select options and links to records by primary field text (creating them if needed).
 * A whole request is atomic: side effects wait in a WriteTx until every record validated.
 */
import { ApiError } from '../http/errors';
import { isId, newId } from '../ids';
import type { Attachment, Base, CellValue, Field, RecordRow, Table } from '../state/model';
import { primaryField } from '../state/store';
import { primaryText, type ReadContext } from './cell-read';
import { TEXT_TYPES } from './field-types';

export const invalidValue = (field: Field, why?: string) =>
  new ApiError(
    422,
    'INVALID_VALUE_FOR_COLUMN',
    `Field "${field.name}" cannot accept the provided value${why ? `: ${why}` : ''}`,
  );

export class WriteTx {
  private readonly newChoices = new Map<Field, string[]>();
  private readonly newLinked: { table: Table; id: string; text: string }[] = [];

  constructor(
    readonly base: Base,
    readonly rc: ReadContext,
  ) {}

  hasChoice(field: Field, name: string): boolean {
    return (
      (field.options?.choices ?? []).some((c) => c.name === name) ||
      (this.newChoices.get(field) ?? []).includes(name)
    );
  }

  planChoice(field: Field, name: string): void {
    const list = this.newChoices.get(field) ?? [];
    list.push(name);
    this.newChoices.set(field, list);
  }

  /** The record of `table` whose primary field reads `text`, or a record planned for creation. */
  linkByText(table: Table, text: string, field: Field): string {
    for (const row of table.records.values())
      if (primaryText(this.rc, table, row) === text) return row.id;
    const planned = this.newLinked.find((n) => n.table === table && n.text === text);
    if (planned) return planned.id;
    if (!TEXT_TYPES.has(primaryField(table).type))
      throw invalidValue(field, `no record of "${table.name}" is named "${text}"`);
    const id = newId('rec');
    this.newLinked.push({ table, id, text });
    return id;
  }

  plannedRecordExists(table: Table, id: string): boolean {
    return this.newLinked.some((n) => n.table === table && n.id === id);
  }

  /** Applies the planned side effects (new select options, records created by typecast links). */
  commit(now: number): void {
    for (const [field, names] of this.newChoices) {
      field.options ??= {};
      field.options.choices ??= [];
      for (const name of names) field.options.choices.push({ id: newId('sel'), name });
    }
    for (const n of this.newLinked) {
      const row: RecordRow = {
        id: n.id,
        createdTime: now,
        lastModifiedTime: now,
        autoNumber: n.table.nextAutoNumber++,
        cells: new Map([[n.table.primaryFieldId, n.text]]),
        comments: [],
      };
      n.table.records.set(row.id, row);
    }
  }
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATE_TIME =
  /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function validDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
}

function toCheckbox(v: unknown, typecast: boolean): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (!typecast) return undefined;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (['true', 'checked', 'yes', '1', 'x', 'on'].includes(s)) return true;
    if (['false', 'unchecked', 'no', '0', '', 'off'].includes(s)) return false;
  }
  return undefined;
}

function toNumberValue(v: unknown, typecast: boolean): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (!typecast) return undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v.replace(/[,\s$€£%]/g, ''));
    return Number.isFinite(n) ? n : undefined;
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  return undefined;
}

function convertAttachments(
  field: Field,
  v: unknown,
  existing: CellValue | undefined,
): Attachment[] {
  if (!Array.isArray(v)) throw invalidValue(field, 'expected an array of attachment objects');
  const old = Array.isArray(existing) ? (existing as Attachment[]) : [];
  return v.map((a: unknown) => {
    if (typeof a !== 'object' || a === null)
      throw invalidValue(field, 'expected attachment objects');
    const { id, url, filename } = a as { id?: unknown; url?: unknown; filename?: unknown };
    if (typeof id === 'string') {
      const kept = old.find((x) => x.id === id);
      if (!kept) throw invalidValue(field, `unknown attachment id ${id}`);
      return kept;
    }
    if (typeof url !== 'string' || !/^https?:\/\//.test(url))
      throw invalidValue(field, 'every new attachment needs an http(s) url');
    const name = typeof filename === 'string' ? filename : (url.split('/').pop() ?? 'file');
    return { id: newId('att'), url, filename: name };
  });
}

/** Converts one written value; null means "clear the cell". */
export function convertCell(
  tx: WriteTx,
  field: Field,
  value: unknown,
  typecast: boolean,
  existing: CellValue | undefined,
): CellValue | null {
  if (value === null) return null;
  const t = field.type;
  if (TEXT_TYPES.has(t)) {
    if (typeof value === 'string') return value === '' ? null : value;
    if (typecast && (typeof value === 'number' || typeof value === 'boolean')) return String(value);
    throw invalidValue(field);
  }
  switch (t) {
    case 'number':
    case 'currency':
    case 'percent':
    case 'duration': {
      const n = toNumberValue(value, typecast);
      if (n === undefined) throw invalidValue(field);
      return n;
    }
    case 'rating': {
      const n = toNumberValue(value, typecast);
      const max = field.options?.max ?? 5;
      if (n === undefined || !Number.isInteger(n) || n < 0 || n > max) throw invalidValue(field);
      return n === 0 ? null : n;
    }
    case 'checkbox': {
      const b = toCheckbox(value, typecast);
      if (b === undefined) throw invalidValue(field);
      return b ? true : null;
    }
    case 'date': {
      if (typeof value !== 'string') throw invalidValue(field);
      if (validDate(value)) return value;
      if (ISO_DATE_TIME.test(value) && validDate(value.slice(0, 10)) && value.length > 10)
        return new Date(value).toISOString().slice(0, 10);
      if (typecast && !Number.isNaN(Date.parse(value)))
        return new Date(value).toISOString().slice(0, 10);
      throw invalidValue(field);
    }
    case 'dateTime': {
      if (typeof value !== 'string') throw invalidValue(field);
      const ok = (ISO_DATE_TIME.test(value) && validDate(value.slice(0, 10))) || typecast;
      const ms = Date.parse(ISO_DATE.test(value) ? `${value}T00:00:00Z` : value);
      if (!ok || Number.isNaN(ms)) throw invalidValue(field);
      return new Date(ms).toISOString();
    }
    case 'singleSelect': {
      if (typeof value !== 'string') throw invalidValue(field);
      if (value === '') return null;
      ensureChoice(tx, field, value, typecast);
      return value;
    }
    case 'multipleSelects': {
      let list: unknown = value;
      if (typecast && typeof value === 'string')
        list = value
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '');
      if (!Array.isArray(list) || list.some((x) => typeof x !== 'string'))
        throw invalidValue(field);
      const names = [...new Set(list as string[])];
      for (const n of names) ensureChoice(tx, field, n, typecast);
      return names;
    }
    case 'multipleRecordLinks':
      return convertLinks(tx, field, value, typecast);
    case 'multipleAttachments':
      return convertAttachments(field, value, existing);
    default:
      throw new ApiError(
        422,
        'INVALID_VALUE_FOR_COLUMN',
        `Field "${field.name}" cannot accept a value because the field is computed`,
      );
  }
}

function ensureChoice(tx: WriteTx, field: Field, name: string, typecast: boolean): void {
  if (tx.hasChoice(field, name)) return;
  if (!typecast)
    throw new ApiError(
      422,
      'INVALID_MULTIPLE_CHOICE_OPTIONS',
      `Insufficient permissions to create new select option ""${name}"" (send typecast: true to create it)`,
    );
  tx.planChoice(field, name);
}

function convertLinks(tx: WriteTx, field: Field, value: unknown, typecast: boolean): string[] {
  const target = tx.base.tables.find((t) => t.id === field.options?.linkedTableId);
  if (!target) throw invalidValue(field, 'the linked table no longer exists');
  let list: unknown = value;
  if (typecast && typeof value === 'string') list = [value];
  if (!Array.isArray(list) || list.some((x) => typeof x !== 'string'))
    throw invalidValue(field, 'expected an array of record ids');
  const ids: string[] = [];
  for (const item of list as string[]) {
    let id: string;
    if (isId('rec', item)) {
      if (!target.records.has(item) && !tx.plannedRecordExists(target, item))
        throw new ApiError(
          422,
          'ROW_DOES_NOT_EXIST',
          `Record ID ${item} does not exist in table "${target.name}"`,
        );
      id = item;
    } else if (typecast) id = tx.linkByText(target, item, field);
    else
      throw invalidValue(
        field,
        `"${item}" is not a record id (send typecast: true to link by name)`,
      );
    if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}
