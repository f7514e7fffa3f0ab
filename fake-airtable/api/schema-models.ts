/** Table, field and view objects as the schema endpoints return them (get-base-schema). */
import { serializeOptions } from '../fields/field-options';
import { parseFormula, referencedFields } from '../formula/parser';
import type { Field, Table } from '../state/model';
import { findField } from '../state/store';

export function fieldModel(table: Table, f: Field): Record<string, unknown> {
  const options = serializeOptions(f, (formula) => {
    try {
      return [...referencedFields(parseFormula(formula))]
        .map((n) => findField(table, n)?.id)
        .filter((x): x is string => x !== undefined);
    } catch {
      return [];
    }
  });
  return {
    id: f.id,
    name: f.name,
    type: f.type,
    ...(f.description ? { description: f.description } : {}),
    ...(options ? { options } : {}),
  };
}

export function tableModel(table: Table, includeVisibleFieldIds = false): Record<string, unknown> {
  return {
    id: table.id,
    name: table.name,
    ...(table.description ? { description: table.description } : {}),
    primaryFieldId: table.primaryFieldId,
    fields: table.fields.map((f) => fieldModel(table, f)),
    views: table.views.map((v) => ({
      id: v.id,
      name: v.name,
      type: v.type,
      ...(includeVisibleFieldIds && v.type === 'grid'
        ? { visibleFieldIds: table.fields.map((f) => f.id) }
        : {}),
    })),
  };
}
