/**
 * Finding a table or field in a base schema by id or name, and shaping schema models for tool
 * output. Ids match exactly; names match exactly first, then ignoring case, as people type them.
 */
import type { FieldModel, TableModel, ViewModel } from '../airtable/api-schemas';
import { ToolInputError } from './tool-errors';

function byIdOrName<T extends { id: string; name: string }>(items: readonly T[], key: string) {
  return (
    items.find((i) => i.id === key) ??
    items.find((i) => i.name === key) ??
    items.find((i) => i.name.toLowerCase() === key.toLowerCase())
  );
}

function names(items: readonly { name: string }[], max = 30): string {
  const shown = items.slice(0, max).map((i) => `"${i.name}"`);
  return shown.join(', ') + (items.length > max ? `, ... (${items.length} in all)` : '');
}

export function findTable(tables: readonly TableModel[], key: string, baseId: string): TableModel {
  const t = byIdOrName(tables, key);
  if (!t) {
    throw new ToolInputError(
      `No table "${key}" in base ${baseId}. Tables: ${names(tables) || '(none)'}. Use list_tables for ids.`,
    );
  }
  return t;
}

export function findField(table: TableModel, key: string): FieldModel {
  const f = byIdOrName(table.fields, key);
  if (!f) {
    throw new ToolInputError(
      `No field "${key}" in table "${table.name}". Fields: ${names(table.fields)}. Use describe_table for ids.`,
    );
  }
  return f;
}

export function fieldOut(f: FieldModel, withOptions: boolean) {
  return {
    id: f.id,
    name: f.name,
    type: f.type,
    ...(f.description ? { description: f.description } : {}),
    ...(withOptions && f.options ? { options: f.options } : {}),
  };
}

export function viewOut(v: ViewModel) {
  return { id: v.id, name: v.name, type: v.type };
}

export function tableSummary(t: TableModel) {
  return {
    id: t.id,
    name: t.name,
    primaryFieldId: t.primaryFieldId,
    ...(t.description ? { description: t.description } : {}),
  };
}
