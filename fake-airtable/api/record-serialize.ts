/**
 * Records as the Web API returns them: `{id, createdTime, fields}` with empty fields left out,
 * keyed by field name (or id with returnFieldsByFieldId), in "json" or "string" cell format
 * (airtable.com/developers/web/api/list-records, cellFormat).
 */
import {
  isEmptyValue,
  primaryText,
  readCell,
  type OutputValue,
  type ReadContext,
} from '../fields/cell-read';
import { toText, type FValue } from '../formula/values';
import type { Attachment, Field, RecordRow, Table } from '../state/model';

export interface SerializeOptions {
  fieldIds?: ReadonlySet<string> | undefined;
  byFieldId: boolean;
  cellFormat: 'json' | 'string';
  /** cellFormat "string": where date-times are shown. */
  timeZone?: string | undefined;
  commentCount?: boolean;
}

function money(n: number, precision: number): string {
  return n.toLocaleString('en-US', {
    minimumFractionDigits: precision,
    maximumFractionDigits: precision,
  });
}

/** A date-time as "YYYY-MM-DD HH:mm" in `timeZone` (Airtable's iso + 24hour formats). */
function localDateTime(iso: string, timeZone: string | undefined): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const zone = !timeZone || timeZone === 'client' ? 'UTC' : timeZone === 'utc' ? 'UTC' : timeZone;
  const parts: Record<string, string> = {};
  for (const p of new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date(ms)))
    parts[p.type] = p.value;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** cellFormat=string: the text Airtable's UI would show (simplified: ISO dates, en-US numbers). */
function asString(
  rc: ReadContext,
  field: Field,
  v: OutputValue,
  timeZone: string | undefined,
): string {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return '#ERROR!';
  const o = field.options;
  switch (field.type) {
    case 'checkbox':
      return v ? 'checked' : '';
    case 'currency':
      return `${o?.symbol ?? '$'}${money(Number(v), o?.precision ?? 2)}`;
    case 'percent':
      return `${money(Number(v) * 100, o?.precision ?? 0)}%`;
    case 'number':
      return money(Number(v), o?.precision ?? 0).replace(/,/g, '');
    case 'multipleRecordLinks': {
      const target = rc.base.tables.find((t) => t.id === o?.linkedTableId);
      return (v as string[])
        .map((id) => {
          const row = target?.records.get(id);
          return row && target ? primaryText(rc, target, row) : id;
        })
        .join(', ');
    }
    case 'multipleAttachments':
      return (v as Attachment[]).map((a) => `${a.filename} (${a.url})`).join(', ');
    case 'dateTime':
    case 'createdTime':
    case 'lastModifiedTime':
      return localDateTime(String(v), timeZone);
    default:
      return toText(v as FValue);
  }
}

export function serializeRecord(
  rc: ReadContext,
  table: Table,
  row: RecordRow,
  opts: SerializeOptions,
): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const f of table.fields) {
    if (opts.fieldIds && !opts.fieldIds.has(f.id)) continue;
    const v = readCell(rc, table, row, f);
    if (isEmptyValue(v)) continue;
    fields[opts.byFieldId ? f.id : f.name] =
      opts.cellFormat === 'string' ? asString(rc, f, v, opts.timeZone) : v;
  }
  return {
    id: row.id,
    createdTime: new Date(row.createdTime).toISOString(),
    fields,
    ...(opts.commentCount ? { commentCount: row.comments.length } : {}),
  };
}
