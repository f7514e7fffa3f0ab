/** Shared checks of the record endpoints: scope, base permission, table and field lookups. */
import { accessBase, requireScope } from '../auth/principal';
import { ApiError, invalidPermissions } from '../http/errors';
import type { Base, Field, PermissionLevel, RecordRow, Scope, Table } from '../state/model';
import { findField } from '../state/store';
import type { ApiRequest } from './request';

export function recordsTable(
  r: ApiRequest,
  scope: Scope,
  needed: PermissionLevel,
): { base: Base; table: Table } {
  requireScope(r.principal, scope);
  const base = accessBase(r.ctx, r.principal, r.params.baseId!, needed);
  const table = r.ctx.store.findTable(base, r.params.table!);
  if (!table) throw invalidPermissions(`no table "${r.params.table}" in this base`);
  return { base, table };
}

export const unknownField = (name: string) =>
  new ApiError(422, 'UNKNOWN_FIELD_NAME', `Unknown field name: "${name}"`);

export function fieldOrThrow(table: Table, idOrName: string): Field {
  const f = findField(table, idOrName);
  if (!f) throw unknownField(idOrName);
  return f;
}

export const recordNotFound = (id: string) =>
  new ApiError(404, 'NOT_FOUND', `Could not find a record with id "${id}" in this table`);

export function recordOrThrow(table: Table, id: string): RecordRow {
  const row = table.records.get(id);
  if (!row) throw recordNotFound(id);
  return row;
}
