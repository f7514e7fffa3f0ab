/**
 * Airtable's field endpoints take table and field ids (airtable.com/developers/web/api/create-field,
 * update-field); people and models often have names. Names are resolved with one schema read,
 * ids are used as they are.
 */
import type { AirtableApi } from '../airtable/api-client';
import type { TableModel } from '../airtable/api-schemas';
import { findField, findTable } from './table-lookup';

const TABLE_ID = /^tbl[A-Za-z0-9]{14}$/;
const FIELD_ID = /^fld[A-Za-z0-9]{14}$/;

export async function resolveTableAndField(
  api: AirtableApi,
  baseId: string,
  table: string,
  field: string | undefined,
  signal: AbortSignal,
): Promise<{ tableId: string; fieldId?: string }> {
  const needSchema = !TABLE_ID.test(table) || (field !== undefined && !FIELD_ID.test(field));
  if (!needSchema) return { tableId: table, ...(field ? { fieldId: field } : {}) };
  const tables: TableModel[] = await api.getBaseSchema(baseId, {}, { signal });
  const t = findTable(tables, table, baseId);
  if (field === undefined) return { tableId: t.id };
  return { tableId: t.id, fieldId: findField(t, field).id };
}
