/**
 * Payloads for the changes the fake's Web API makes (airtable.com/developers/web/api/model/webhooks-payload,
 * payload format v0, V2 cell values): every enabled webhook of the base whose specification
 * matches gets one payload per request. Matching: dataTypes, recordChangeScope (a table, or a view
 * taken as its table), changeTypes, fromSources (API writes come from "publicApi") and
 * watchDataInFieldIds / watchSchemasOfFieldIds. Not modelled: previous values (`includes`), form
 * and automation sources, notification pings (the fake delivers none; clients poll payloads).
 */
import type { Principal } from '../auth/principal';
import type { FakeContext } from '../context';
import { isEmptyValue, readCell } from '../fields/cell-read';
import type { Base, Field, RecordRow, Table, Webhook } from '../state/model';
import { isEnabled } from './lifecycle';

export interface RecordChanges {
  created: RecordRow[];
  /** Existing records and the ids of the fields written in them. */
  updated: { row: RecordRow; fieldIds: ReadonlySet<string> }[];
  destroyed: string[];
}

export interface SchemaChanges {
  createdFields?: Field[];
  changedFields?: { field: Field; previous: { name: string; description?: string } }[];
  metadata?: { current: { name: string; description: string | null } };
}

const transactions = new WeakMap<Base, number>();

function scopeTableId(base: Base, scope: string | undefined): string | undefined {
  if (scope === undefined) return undefined;
  const viewTable = base.tables.find((t) => t.views.some((v) => v.id === scope));
  return viewTable?.id ?? scope;
}

function cellValues(
  ctx: FakeContext,
  base: Base,
  table: Table,
  row: RecordRow,
  only?: ReadonlySet<string>,
) {
  const out: Record<string, unknown> = {};
  for (const f of table.fields) {
    if (only && !only.has(f.id)) continue;
    const v = readCell({ base, now: ctx.clock.now() }, table, row, f);
    out[f.id] = isEmptyValue(v) ? null : v;
  }
  return out;
}

function listening(
  ctx: FakeContext,
  base: Base,
  table: Table,
  dataType: 'tableData' | 'tableFields' | 'tableMetadata',
): Webhook[] {
  const now = ctx.clock.now();
  return [...ctx.store.webhooks.values()].filter((h) => {
    const f = h.specification.options.filters;
    if (h.baseId !== base.id || !isEnabled(h, now) || !f.dataTypes.includes(dataType)) return false;
    if (f.fromSources && !f.fromSources.includes('publicApi')) return false;
    const scope = scopeTableId(base, f.recordChangeScope);
    return scope === undefined || scope === table.id;
  });
}

function append(
  ctx: FakeContext,
  base: Base,
  p: Principal,
  hook: Webhook,
  tableId: string,
  tableChange: Record<string, unknown>,
): void {
  if (Object.keys(tableChange).length === 0) return;
  const txn = (transactions.get(base) ?? 0) + 1;
  transactions.set(base, txn);
  const user = ctx.store.users.get(p.userId);
  const now = ctx.clock.now();
  hook.payloads.push({
    number: hook.cursorForNextPayload++,
    createdAt: now,
    body: {
      timestamp: new Date(now).toISOString(),
      baseTransactionNumber: txn,
      payloadFormat: 'v0',
      actionMetadata: {
        source: 'publicApi',
        sourceMetadata: {
          user: {
            id: p.userId,
            email: user?.email ?? '',
            name: user?.name ?? '',
            permissionLevel: base.collaborators.get(p.userId) ?? 'none',
          },
        },
      },
      changedTablesById: { [tableId]: tableChange },
    },
  });
}

export function emitRecordChanges(
  ctx: FakeContext,
  base: Base,
  table: Table,
  p: Principal,
  changes: RecordChanges,
): void {
  for (const hook of listening(ctx, base, table, 'tableData')) {
    const f = hook.specification.options.filters;
    const wants = (t: 'add' | 'update' | 'remove') => !f.changeTypes || f.changeTypes.includes(t);
    const watched = f.watchDataInFieldIds ? new Set(f.watchDataInFieldIds) : undefined;
    const change: Record<string, unknown> = {};
    if (wants('add') && changes.created.length > 0)
      change.createdRecordsById = Object.fromEntries(
        changes.created.map((row) => [
          row.id,
          {
            createdTime: new Date(row.createdTime).toISOString(),
            cellValuesByFieldId: cellValues(ctx, base, table, row),
          },
        ]),
      );
    const updated = changes.updated.filter(
      (u) => !watched || [...u.fieldIds].some((id) => watched.has(id)),
    );
    if (wants('update') && updated.length > 0)
      change.changedRecordsById = Object.fromEntries(
        updated.map((u) => [
          u.row.id,
          { current: { cellValuesByFieldId: cellValues(ctx, base, table, u.row, u.fieldIds) } },
        ]),
      );
    if (wants('remove') && changes.destroyed.length > 0)
      change.destroyedRecordIds = [...changes.destroyed];
    append(ctx, base, p, hook, table.id, change);
  }
}

export function emitSchemaChanges(
  ctx: FakeContext,
  base: Base,
  table: Table,
  p: Principal,
  changes: SchemaChanges,
): void {
  if (changes.metadata) {
    for (const hook of listening(ctx, base, table, 'tableMetadata'))
      append(ctx, base, p, hook, table.id, { changedMetadata: changes.metadata });
  }
  if (!changes.createdFields && !changes.changedFields) return;
  for (const hook of listening(ctx, base, table, 'tableFields')) {
    const f = hook.specification.options.filters;
    const watched = f.watchSchemasOfFieldIds ? new Set(f.watchSchemasOfFieldIds) : undefined;
    const wants = (t: 'add' | 'update') => !f.changeTypes || f.changeTypes.includes(t);
    const change: Record<string, unknown> = {};
    if (wants('add') && changes.createdFields?.length)
      change.createdFieldsById = Object.fromEntries(
        changes.createdFields.map((fd) => [fd.id, { name: fd.name, type: fd.type }]),
      );
    const changed = (changes.changedFields ?? []).filter(
      (c) => !watched || watched.has(c.field.id),
    );
    if (wants('update') && changed.length > 0)
      change.changedFieldsById = Object.fromEntries(
        changed.map((c) => [
          c.field.id,
          {
            current: {
              name: c.field.name,
              ...(c.field.description ? { description: c.field.description } : {}),
            },
            previous: c.previous,
          },
        ]),
      );
    append(ctx, base, p, hook, table.id, change);
  }
}
