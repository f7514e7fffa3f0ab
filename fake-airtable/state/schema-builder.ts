/**
 * Building tables and fields, shared by the admin API (lenient: fills in default options) and the
 * Web API schema endpoints (strict: Airtable's required options, unique names). A link field gets
 * an inverse field in the linked table, as Airtable creates one (field-model, multipleRecordLinks).
 */
import { FieldOptionsError, normalizeOptions, type RawFieldOptions } from '../fields/field-options';
import { canBePrimary, isFieldType, type FieldType } from '../fields/field-types';
import { newId } from '../ids';
import type { Base, Field, Table, View } from './model';
import { sameName } from './store';

export interface FieldSpec {
  id?: string | undefined;
  name: string;
  type: string;
  description?: string | undefined;
  options?: RawFieldOptions | undefined;
}

export interface ViewSpec {
  id?: string | undefined;
  name: string;
  type?: View['type'] | undefined;
  filterByFormula?: string | undefined;
  sort?: { field: string; direction?: 'asc' | 'desc' | undefined }[] | undefined;
}

export class SchemaError extends Error {
  override name = 'SchemaError';
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

function uniqueName(existing: string[], wanted: string): string {
  if (!existing.some((n) => sameName(n, wanted))) return wanted;
  for (let i = 2; ; i++) {
    const candidate = `${wanted} ${i}`;
    if (!existing.some((n) => sameName(n, candidate))) return candidate;
  }
}

/** Creates a field in `table`; links also get their inverse field in the linked table. */
export function addField(
  base: Base,
  table: Table,
  spec: FieldSpec,
  strict: boolean,
  opts: { primary?: boolean } = {},
): Field {
  if (!isFieldType(spec.type))
    throw new SchemaError('INVALID_FIELD_TYPE', `Unknown or unsupported field type "${spec.type}"`);
  const type: FieldType = spec.type;
  if (spec.name.trim() === '')
    throw new SchemaError('INVALID_FIELD_NAME', 'Field names cannot be empty');
  if (table.fields.some((f) => sameName(f.name, spec.name)))
    throw new SchemaError(
      'DUPLICATE_OR_EMPTY_FIELD_NAME',
      `A field named "${spec.name}" already exists in table "${table.name}"`,
    );
  if (opts.primary && !canBePrimary(type))
    throw new SchemaError(
      'INVALID_PRIMARY_FIELD_TYPE',
      `A "${type}" field cannot be the primary field of a table`,
    );
  let raw = spec.options;
  if (type === 'multipleRecordLinks' && raw && typeof raw.linkedTableId === 'string') {
    // The admin API may name the linked table; the Web API must give its id.
    const target = base.tables.find(
      (t) => t.id === raw!.linkedTableId || (!strict && t.name === raw!.linkedTableId),
    );
    if (!target)
      throw new SchemaError(
        'INVALID_FIELD_TYPE_OPTIONS',
        `options.linkedTableId "${String(raw.linkedTableId)}" is not a table of this base`,
      );
    raw = { ...raw, linkedTableId: target.id };
  }
  if (type === 'count' && raw && typeof raw.recordLinkFieldId === 'string') {
    const link = table.fields.find(
      (f) => f.id === raw!.recordLinkFieldId || f.name === raw!.recordLinkFieldId,
    );
    if (!link || link.type !== 'multipleRecordLinks')
      throw new SchemaError(
        'INVALID_FIELD_TYPE_OPTIONS',
        'options.recordLinkFieldId must name a link field',
      );
    raw = { ...raw, recordLinkFieldId: link.id };
  }
  if ((type === 'multipleLookupValues' || type === 'rollup') && raw) {
    // The admin API may name the link field and the linked table's field; ids work too.
    const link = table.fields.find(
      (f) => f.id === raw!.recordLinkFieldId || f.name === raw!.recordLinkFieldId,
    );
    const target = base.tables.find((t) => t.id === link?.options?.linkedTableId);
    const looked = target?.fields.find(
      (f) => f.id === raw!.fieldIdInLinkedTable || f.name === raw!.fieldIdInLinkedTable,
    );
    if (!link || link.type !== 'multipleRecordLinks' || !looked)
      throw new SchemaError(
        'INVALID_FIELD_TYPE_OPTIONS',
        'options.recordLinkFieldId must name a link field and options.fieldIdInLinkedTable a field of the linked table',
      );
    raw = { ...raw, recordLinkFieldId: link.id, fieldIdInLinkedTable: looked.id };
  }
  let options;
  try {
    options = normalizeOptions(type, raw, strict);
  } catch (err) {
    if (err instanceof FieldOptionsError)
      throw new SchemaError('INVALID_FIELD_TYPE_OPTIONS', `Field "${spec.name}": ${err.message}`);
    throw err;
  }
  const field: Field = {
    id: spec.id ?? newId('fld'),
    name: spec.name,
    type,
    ...(spec.description ? { description: spec.description } : {}),
    ...(options ? { options } : {}),
  };
  table.fields.push(field);
  if (type === 'multipleRecordLinks' && field.options?.linkedTableId !== table.id) {
    const target = base.tables.find((t) => t.id === field.options?.linkedTableId)!;
    const inverse: Field = {
      id: newId('fld'),
      name: uniqueName(
        target.fields.map((f) => f.name),
        typeof raw?.inverseFieldName === 'string' ? raw.inverseFieldName : table.name,
      ),
      type: 'multipleRecordLinks',
      options: {
        linkedTableId: table.id,
        inverseLinkFieldId: field.id,
        prefersSingleRecordLink: false,
      },
    };
    target.fields.push(inverse);
    field.options!.inverseLinkFieldId = inverse.id;
  }
  return field;
}

/** Creates an empty table (fields added by the caller; the first becomes primary). */
export function newTable(
  base: Base,
  spec: { id?: string | undefined; name: string; description?: string | undefined },
): Table {
  if (spec.name.trim() === '')
    throw new SchemaError('INVALID_TABLE_NAME', 'Table names cannot be empty');
  if (base.tables.some((t) => sameName(t.name, spec.name)))
    throw new SchemaError(
      'DUPLICATE_TABLE_NAME',
      `A table named "${spec.name}" already exists in this base`,
    );
  const table: Table = {
    id: spec.id ?? newId('tbl'),
    name: spec.name,
    ...(spec.description ? { description: spec.description } : {}),
    primaryFieldId: '',
    fields: [],
    views: [],
    records: new Map(),
    nextAutoNumber: 1,
  };
  base.tables.push(table);
  return table;
}

export function addView(table: Table, spec: ViewSpec): View {
  const view: View = {
    id: spec.id ?? newId('viw'),
    name: spec.name,
    type: spec.type ?? 'grid',
    ...(spec.filterByFormula ? { filterByFormula: spec.filterByFormula } : {}),
    ...(spec.sort
      ? { sort: spec.sort.map((s) => ({ field: s.field, direction: s.direction ?? 'asc' })) }
      : {}),
  };
  table.views.push(view);
  return view;
}

/** Creates a table with its fields (the first is the primary field) and a default "Grid view". */
export function createTable(
  base: Base,
  spec: {
    id?: string | undefined;
    name: string;
    description?: string | undefined;
    fields: FieldSpec[];
    views?: ViewSpec[] | undefined;
  },
  strict: boolean,
): Table {
  if (spec.fields.length === 0)
    throw new SchemaError('INVALID_REQUEST_UNKNOWN', 'A table needs at least one field');
  const table = newTable(base, spec);
  try {
    const primary = addField(base, table, spec.fields[0]!, strict, { primary: true });
    table.primaryFieldId = primary.id;
    for (const f of spec.fields.slice(1)) addField(base, table, f, strict);
  } catch (err) {
    base.tables.splice(base.tables.indexOf(table), 1);
    // Remove inverse fields the failed table left behind in other tables.
    for (const t of base.tables)
      t.fields = t.fields.filter((f) => f.options?.linkedTableId !== table.id);
    throw err;
  }
  for (const v of spec.views?.length ? spec.views : [{ name: 'Grid view' }]) addView(table, v);
  return table;
}
