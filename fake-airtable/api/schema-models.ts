/** Table, field and view objects as the schema endpoints return them (get-base-schema). */
import { serializeOptions } from '../fields/field-options';
import { parseFormula, referencedFields } from '../formula/parser';
import { linkedField } from '../fields/cell-read';
import type { Base, Field, Table } from '../state/model';
import { findField } from '../state/store';

export function fieldModel(base: Base, table: Table, f: Field): Record<string, unknown> {
  const options = serializeOptions(f, {
    formulaFieldIds: (formula) => {
      try {
        return [...referencedFields(parseFormula(formula))]
          .map((n) => findField(table, n)?.id)
          .filter((x): x is string => x !== undefined);
      } catch {
        return [];
      }
    },
    linkedFieldType: (field) => linkedField(base, table, field)?.field.type,
  });
  return {
    id: f.id,
    name: f.name,
    type: f.type,
    ...(f.description ? { description: f.description } : {}),
    ...(options ? { options } : {}),
  };
}

export function tableModel(
  base: Base,
  table: Table,
  includeVisibleFieldIds = false,
): Record<string, unknown> {
  return {
    id: table.id,
    name: table.name,
    ...(table.description ? { description: table.description } : {}),
    primaryFieldId: table.primaryFieldId,
    fields: table.fields.map((f) => fieldModel(base, table, f)),
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
