/**
 * Writing cells and deleting records while keeping linked-record fields symmetric: Airtable shows
 * a link from A to B in B's inverse field too, and removes links to a deleted record.
 */
import type { Base, CellValue, Field, RecordRow, Table } from './model';

function linkIds(v: CellValue | undefined): string[] {
  return Array.isArray(v) ? (v as string[]) : [];
}

function inverseOf(base: Base, field: Field): { table: Table; field: Field } | undefined {
  const table = base.tables.find((t) => t.id === field.options?.linkedTableId);
  const inv = table?.fields.find((f) => f.id === field.options?.inverseLinkFieldId);
  return table && inv ? { table, field: inv } : undefined;
}

function editLinks(
  row: RecordRow,
  fieldId: string,
  edit: (ids: string[]) => string[],
  now: number,
): void {
  const next = edit(linkIds(row.cells.get(fieldId)));
  if (next.length === 0) row.cells.delete(fieldId);
  else row.cells.set(fieldId, next);
  row.lastModifiedTime = now;
}

/** Sets (or clears, with null) one cell, mirroring link changes into the inverse field. */
export function setCell(
  base: Base,
  row: RecordRow,
  field: Field,
  value: CellValue | null,
  now: number,
): void {
  const before = row.cells.get(field.id);
  if (value === null) row.cells.delete(field.id);
  else row.cells.set(field.id, value);
  row.lastModifiedTime = now;
  if (field.type !== 'multipleRecordLinks') return;
  const inv = inverseOf(base, field);
  if (!inv) return;
  const oldIds = linkIds(before);
  const newIds = linkIds(value ?? undefined);
  for (const id of oldIds.filter((x) => !newIds.includes(x))) {
    const other = inv.table.records.get(id);
    if (other) editLinks(other, inv.field.id, (ids) => ids.filter((x) => x !== row.id), now);
  }
  for (const id of newIds.filter((x) => !oldIds.includes(x))) {
    const other = inv.table.records.get(id);
    if (other)
      editLinks(other, inv.field.id, (ids) => (ids.includes(row.id) ? ids : [...ids, row.id]), now);
  }
}

/** Deletes a record and every link pointing at it. */
export function deleteRecord(base: Base, table: Table, recordId: string, now: number): void {
  table.records.delete(recordId);
  for (const t of base.tables)
    for (const f of t.fields) {
      if (f.type !== 'multipleRecordLinks' || f.options?.linkedTableId !== table.id) continue;
      for (const row of t.records.values())
        if (linkIds(row.cells.get(f.id)).includes(recordId))
          editLinks(row, f.id, (ids) => ids.filter((x) => x !== recordId), now);
    }
}
