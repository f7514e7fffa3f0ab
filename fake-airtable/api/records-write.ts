/**
 * Record writes (airtable.com/developers/web/api): create-records (POST), update-record /
 * update-multiple-records (PATCH merges, PUT clears omitted fields) with performUpsert, and
 * delete-record / delete-multiple-records. Scope data.records:write, "edit" permission. At most
 * 10 records per request; every request is atomic.
 */
import { z } from 'zod';
import { isEmptyValue } from '../fields/cell-read';
import { convertCell, WriteTx } from '../fields/cell-write';
import { canMergeOn, isComputed } from '../fields/field-types';
import { ApiError, invalidRequest } from '../http/errors';
import { newId } from '../ids';
import type { Base, CellValue, Field, RecordRow, Table } from '../state/model';
import { deleteRecord, setCell } from '../state/record-mutations';
import { emitRecordChanges, type RecordChanges } from '../webhooks/emit';
import { serializeRecord } from './record-serialize';
import { fieldOrThrow, recordOrThrow, recordsTable } from './records-access';
import { jsonBody, onlyQueryParams, parseWith, type ApiRequest } from './request';

const MAX_RECORDS = 10;
const fieldsSchema = z.record(z.string(), z.unknown());
const common = { typecast: z.boolean().optional(), returnFieldsByFieldId: z.boolean().optional() };

const createBody = z.strictObject({
  records: z.array(z.strictObject({ fields: fieldsSchema })).optional(),
  fields: fieldsSchema.optional(),
  ...common,
});
const updateManyBody = z.strictObject({
  records: z.array(z.strictObject({ id: z.string().optional(), fields: fieldsSchema })),
  performUpsert: z.strictObject({ fieldsToMergeOn: z.array(z.string()) }).optional(),
  ...common,
});
const updateOneBody = z.strictObject({ fields: fieldsSchema, ...common });

const tooMany = (what: string) =>
  new ApiError(
    422,
    'INVALID_RECORDS',
    `You must provide an array of up to ${MAX_RECORDS} records to ${what} (got a different count).`,
  );

interface WriteItem {
  /** Existing record to update; undefined = create. */
  row?: RecordRow | undefined;
  fields: Record<string, unknown>;
}

interface Converted {
  item: WriteItem;
  cells: Map<Field, CellValue | null>;
}

function convertAll(tx: WriteTx, table: Table, items: WriteItem[], typecast: boolean): Converted[] {
  return items.map((item) => {
    const cells = new Map<Field, CellValue | null>();
    for (const [key, value] of Object.entries(item.fields)) {
      const field = fieldOrThrow(table, key);
      cells.set(field, convertCell(tx, field, value, typecast, item.row?.cells.get(field.id)));
    }
    return { item, cells };
  });
}

/** Converts, commits and applies; returns the rows written in request order. */
function apply(
  r: ApiRequest,
  base: Base,
  table: Table,
  items: WriteItem[],
  typecast: boolean,
  replace: boolean,
  tx = new WriteTx(base, { base, now: r.ctx.clock.now() }),
): RecordRow[] {
  const converted = convertAll(tx, table, items, typecast);
  const now = r.ctx.clock.now();
  tx.commit(now);
  const changes: RecordChanges = { created: [], updated: [], destroyed: [] };
  const rows = converted.map(({ item, cells }) => {
    let row = item.row;
    const written = new Set([...cells.keys()].map((f) => f.id));
    if (row) changes.updated.push({ row, fieldIds: written });
    if (!row) {
      row = {
        id: newId('rec'),
        createdTime: now,
        lastModifiedTime: now,
        autoNumber: table.nextAutoNumber++,
        cells: new Map(),
        comments: [],
      };
      table.records.set(row.id, row);
      changes.created.push(row);
    }
    if (replace)
      for (const f of table.fields)
        if (!isComputed(f.type) && !cells.has(f) && row.cells.has(f.id)) {
          setCell(base, row, f, null, now);
          written.add(f.id);
        }
    for (const [field, value] of cells) setCell(base, row, field, value, now);
    return row;
  });
  emitRecordChanges(r.ctx, base, table, r.principal, changes);
  return rows;
}

function respond(r: ApiRequest, base: Base, table: Table, row: RecordRow, byFieldId: boolean) {
  return serializeRecord({ base, now: r.ctx.clock.now() }, table, row, {
    byFieldId,
    cellFormat: 'json',
  });
}

export async function createRecords(r: ApiRequest): Promise<unknown> {
  onlyQueryParams(r.url, /^$/);
  const { base, table } = recordsTable(r, 'data.records:write', 'edit');
  const body = parseWith(createBody, await jsonBody(r));
  if ((body.records === undefined) === (body.fields === undefined))
    throw new ApiError(
      422,
      'INVALID_REQUEST_MISSING_FIELDS',
      'Could not find field "records" (or "fields" for a single record) in the request body',
    );
  const single = body.records === undefined;
  const items = body.records ?? [{ fields: body.fields! }];
  if (items.length === 0 || items.length > MAX_RECORDS) throw tooMany('create');
  const rows = apply(r, base, table, items, body.typecast ?? false, false);
  const out = rows.map((row) => respond(r, base, table, row, body.returnFieldsByFieldId ?? false));
  return single ? out[0] : { records: out };
}

/** performUpsert: match each record without id on 1-3 fields; 0 matches creates, 1 updates. */
function resolveUpsert(
  tx: WriteTx,
  table: Table,
  items: { id?: string | undefined; fields: Record<string, unknown> }[],
  mergeOn: string[],
  typecast: boolean,
): { items: WriteItem[]; created: boolean[] } {
  if (mergeOn.length < 1 || mergeOn.length > 3)
    throw invalidRequest('performUpsert.fieldsToMergeOn must list 1 to 3 fields');
  const mergeFields = mergeOn.map((n) => fieldOrThrow(table, n));
  for (const f of mergeFields)
    if (!canMergeOn(f.type))
      throw invalidRequest(`field "${f.name}" (${f.type}) cannot be used in fieldsToMergeOn`);
  const created: boolean[] = [];
  const resolved = items.map((item) => {
    if (item.id !== undefined) {
      created.push(false);
      return { row: recordOrThrow(table, item.id), fields: item.fields };
    }
    const wanted = mergeFields.map((f) => {
      const key = Object.keys(item.fields).find((k) => fieldOrThrow(table, k) === f);
      const v =
        key === undefined ? null : convertCell(tx, f, item.fields[key], typecast, undefined);
      if (isEmptyValue(v))
        throw invalidRequest(`every record must have a value for merge field "${f.name}"`);
      return JSON.stringify(v);
    });
    const matches = [...table.records.values()].filter((row) =>
      mergeFields.every((f, i) => JSON.stringify(row.cells.get(f.id) ?? null) === wanted[i]),
    );
    if (matches.length > 1)
      throw new ApiError(
        422,
        'INVALID_RECORDS',
        `Upsert found ${matches.length} records matching the fields to merge on: the match must be unique`,
      );
    created.push(matches.length === 0);
    return { row: matches[0], fields: item.fields };
  });
  return { items: resolved, created };
}

async function updateMany(r: ApiRequest, replace: boolean): Promise<unknown> {
  onlyQueryParams(r.url, /^$/);
  const { base, table } = recordsTable(r, 'data.records:write', 'edit');
  const body = parseWith(updateManyBody, await jsonBody(r));
  if (body.records.length === 0 || body.records.length > MAX_RECORDS) throw tooMany('update');
  const typecast = body.typecast ?? false;
  const byId = body.returnFieldsByFieldId ?? false;
  const tx = new WriteTx(base, { base, now: r.ctx.clock.now() });
  if (body.performUpsert) {
    const { items, created } = resolveUpsert(
      tx,
      table,
      body.records,
      body.performUpsert.fieldsToMergeOn,
      typecast,
    );
    const rows = apply(r, base, table, items, typecast, replace, tx);
    return {
      records: rows.map((row) => respond(r, base, table, row, byId)),
      createdRecords: rows.filter((_, i) => created[i]).map((row) => row.id),
      updatedRecords: rows.filter((_, i) => !created[i]).map((row) => row.id),
    };
  }
  const items = body.records.map((rec) => {
    if (rec.id === undefined)
      throw invalidRequest('every record needs an id (or send performUpsert)');
    return { row: recordOrThrow(table, rec.id), fields: rec.fields };
  });
  const rows = apply(r, base, table, items, typecast, replace, tx);
  return { records: rows.map((row) => respond(r, base, table, row, byId)) };
}

async function updateOne(r: ApiRequest, replace: boolean): Promise<unknown> {
  onlyQueryParams(r.url, /^$/);
  const { base, table } = recordsTable(r, 'data.records:write', 'edit');
  const body = parseWith(updateOneBody, await jsonBody(r));
  const row = recordOrThrow(table, r.params.recordId!);
  const [written] = apply(
    r,
    base,
    table,
    [{ row, fields: body.fields }],
    body.typecast ?? false,
    replace,
  );
  return respond(r, base, table, written!, body.returnFieldsByFieldId ?? false);
}

export const patchRecords = (r: ApiRequest) => updateMany(r, false);
export const putRecords = (r: ApiRequest) => updateMany(r, true);
export const patchRecord = (r: ApiRequest) => updateOne(r, false);
export const putRecord = (r: ApiRequest) => updateOne(r, true);

export function deleteRecords(r: ApiRequest): unknown {
  onlyQueryParams(r.url, /^records(\[\d*\])?$/);
  const { base, table } = recordsTable(r, 'data.records:write', 'edit');
  const ids = [...r.url.searchParams.entries()].map(([, v]) => v);
  if (ids.length === 0 || ids.length > MAX_RECORDS) throw tooMany('delete');
  for (const id of ids) recordOrThrow(table, id);
  const now = r.ctx.clock.now();
  for (const id of ids) deleteRecord(base, table, id, now);
  emitRecordChanges(r.ctx, base, table, r.principal, { created: [], updated: [], destroyed: ids });
  return { records: ids.map((id) => ({ id, deleted: true })) };
}

export function deleteOneRecord(r: ApiRequest): unknown {
  onlyQueryParams(r.url, /^$/);
  const { base, table } = recordsTable(r, 'data.records:write', 'edit');
  const id = r.params.recordId!;
  recordOrThrow(table, id);
  deleteRecord(base, table, id, r.ctx.clock.now());
  emitRecordChanges(r.ctx, base, table, r.principal, { created: [], updated: [], destroyed: [id] });
  return { id, deleted: true };
}
