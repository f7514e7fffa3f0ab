/**
 * Builds bases for the admin API and the sample seed: tables first, then link and count fields
 * (so links may point at any table of the batch), then records (typecast on, so links may name
 * records by primary field text), plain cells before links.
 */
import type { FakeContext } from '../context';
import { readCell } from '../fields/cell-read';
import { convertCell, WriteTx } from '../fields/cell-write';
import { ApiError, AdminError } from '../http/errors';
import { newId } from '../ids';
import type { Base, PermissionLevel, RecordRow, Table } from '../state/model';
import { setCell } from '../state/record-mutations';
import { addField, createTable, SchemaError } from '../state/schema-builder';
import { findField } from '../state/store';
import type { BaseSpec, RecordSpec, TableSpec } from './admin-schemas';
import { baseSpecSchema } from './admin-schemas';

/** Fields built after every table exists: links, then the fields that read through links. */
const LATE = ['multipleRecordLinks', 'count', 'multipleLookupValues', 'rollup'];
const isLate = (type: string) => LATE.includes(type);

function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SchemaError || err instanceof ApiError) throw new AdminError(err.message);
    throw err;
  }
}

export function buildBase(ctx: FakeContext, input: BaseSpec): Base {
  const spec = baseSpecSchema.parse(input);
  if (spec.id && ctx.store.bases.has(spec.id)) throw new AdminError(`base ${spec.id} exists`);
  const collaborators = new Map<string, PermissionLevel>();
  for (const id of spec.ownerUserIds) collaborators.set(id, 'create');
  for (const c of spec.collaborators ?? []) collaborators.set(c.userId, c.permissionLevel);
  for (const id of collaborators.keys())
    if (!ctx.store.users.has(id)) throw new AdminError(`unknown user ${id}`);
  if (spec.workspaceId && !ctx.store.workspaces.has(spec.workspaceId))
    throw new AdminError(`unknown workspace ${spec.workspaceId}`);
  const base: Base = {
    id: spec.id ?? newId('app'),
    name: spec.name,
    collaborators,
    tables: [],
    ...(spec.workspaceId ? { workspaceId: spec.workspaceId } : {}),
  };
  wrap(() => {
    const tables = spec.tables.map((t) =>
      createTable(
        base,
        { ...t, fields: t.fields.filter((f, i) => i === 0 || !isLate(f.type)) },
        false,
      ),
    );
    for (const late of LATE)
      spec.tables.forEach((t, i) => {
        for (const f of t.fields.slice(1))
          if (f.type === late) addField(base, tables[i]!, f, false);
      });
    insertSpecRecords(
      ctx,
      base,
      spec.tables.map((t: TableSpec, i) => ({ table: tables[i]!, records: t.records ?? [] })),
      true,
    );
  });
  ctx.store.bases.set(base.id, base);
  return base;
}

/** Inserts records without the Web API's limits (bulk seeding). Returns the created rows. */
export function insertSpecRecords(
  ctx: FakeContext,
  base: Base,
  batches: { table: Table; records: RecordSpec[] }[],
  typecast: boolean,
): RecordRow[][] {
  const now = ctx.clock.now();
  const tx = new WriteTx(base, { base, now });
  const created = batches.map(({ table, records }) =>
    records.map((r) => {
      for (const key of Object.keys(r.fields))
        if (!findField(table, key)) throw new AdminError(`unknown field "${key}" in ${table.name}`);
      const id = r.id ?? newId('rec');
      if (table.records.has(id)) throw new AdminError(`record ${id} exists`);
      const t = r.createdTime ? Date.parse(r.createdTime) : now;
      const row: RecordRow = {
        id,
        createdTime: t,
        lastModifiedTime: t,
        autoNumber: table.nextAutoNumber++,
        cells: new Map(),
        comments: [],
      };
      table.records.set(id, row);
      return row;
    }),
  );
  for (const pass of ['plain', 'links'] as const)
    batches.forEach(({ table, records }, i) =>
      records.forEach((r, j) => {
        const row = created[i]![j]!;
        for (const [key, value] of Object.entries(r.fields)) {
          const field = findField(table, key)!;
          if ((field.type === 'multipleRecordLinks') !== (pass === 'links')) continue;
          const v = wrap(() => convertCell(tx, field, value, typecast, row.cells.get(field.id)));
          setCell(base, row, field, v, row.lastModifiedTime);
        }
      }),
    );
  tx.commit(now);
  return created;
}

/** A record as the admin API shows it: every non-empty field by name, computed ones included. */
export function adminRecordView(ctx: FakeContext, base: Base, table: Table, row: RecordRow) {
  const fields: Record<string, unknown> = {};
  for (const f of table.fields) {
    const v = readCell({ base, now: ctx.clock.now() }, table, row, f);
    if (v !== undefined && v !== null) fields[f.name] = v;
  }
  return { id: row.id, createdTime: new Date(row.createdTime).toISOString(), fields };
}
