/**
 * upload-attachment on the content host (airtable.com/developers/web/api/upload-attachment):
 * `POST /v0/{baseId}/{recordId}/{attachmentFieldIdOrName}/uploadAttachment` with the strict JSON
 * body `{contentType, file, filename}`, `file` base64, at most 5 MB decoded; scope
 * data.records:write and "edit" permission. The file is appended to the cell; the answer is the
 * record with that cell only, keyed by field id. Served under /content (the fake's stand-in for
 * content.airtable.com); GET /content/files/{attachmentId}/{filename} serves the bytes back.
 * The error type for a file over the limit is not documented (UNVERIFIED): 413
 * ATTACHMENT_TOO_LARGE here.
 */
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { accessBase, requireScope } from '../auth/principal';
import type { FakeContext } from '../context';
import { readCell } from '../fields/cell-read';
import { ApiError } from '../http/errors';
import { newId } from '../ids';
import type { Attachment, RecordRow, Table } from '../state/model';
import { setCell } from '../state/record-mutations';
import { findField } from '../state/store';
import { emitRecordChanges } from '../webhooks/emit';
import { recordNotFound, unknownField } from './records-access';
import { jsonBody, onlyQueryParams, parseWith, type ApiRequest } from './request';

/** Airtable: "up to 5 MB"; the fake takes 5 MiB, as the MCP server does. */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
/** The JSON body around a 5 MiB file in base64, with room for the other keys. */
const MAX_UPLOAD_BODY_BYTES = Math.ceil(MAX_UPLOAD_BYTES / 3) * 4 + 64 * 1024;

const uploadBody = z.strictObject({
  contentType: z.string().min(1).max(255),
  file: z.string(),
  filename: z.string().min(1).max(1000),
});

/** Padded standard base64 (a plain character class: a grouped pattern overflows V8's stack on MBs). */
const isBase64 = (s: string) => s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s);

function findRecord(tables: Table[], recordId: string): { table: Table; row: RecordRow } {
  for (const table of tables) {
    const row = table.records.get(recordId);
    if (row) return { table, row };
  }
  throw recordNotFound(recordId);
}

export async function uploadAttachment(r: ApiRequest): Promise<unknown> {
  onlyQueryParams(r.url, /^$/);
  requireScope(r.principal, 'data.records:write');
  const base = accessBase(r.ctx, r.principal, r.params.baseId!, 'edit');
  const { table, row } = findRecord(base.tables, r.params.recordId!);
  const field = findField(table, r.params.field!);
  if (!field) throw unknownField(r.params.field!);
  if (field.type !== 'multipleAttachments')
    throw new ApiError(
      422,
      'INVALID_VALUE_FOR_COLUMN',
      `Field "${field.name}" is not an attachment field (it is ${field.type})`,
    );
  const body = parseWith(uploadBody, await jsonBody(r, MAX_UPLOAD_BODY_BYTES));
  if (!isBase64(body.file))
    throw new ApiError(422, 'INVALID_REQUEST_UNKNOWN', 'file must be a base64 encoded string');
  const bytes = Buffer.from(body.file, 'base64');
  if (bytes.length > MAX_UPLOAD_BYTES)
    throw new ApiError(
      413,
      'ATTACHMENT_TOO_LARGE',
      `The file is ${bytes.length} bytes; uploadAttachment takes at most 5 MB.`,
    );
  const id = newId('att');
  const attachment: Attachment = {
    id,
    url: `${r.ctx.url}/content/files/${id}/${encodeURIComponent(body.filename)}`,
    filename: body.filename,
    size: bytes.length,
    type: body.contentType,
  };
  r.ctx.store.attachmentFiles.set(id, { bytes, type: body.contentType });
  const now = r.ctx.clock.now();
  const old = row.cells.get(field.id);
  setCell(
    base,
    row,
    field,
    [...(Array.isArray(old) ? (old as Attachment[]) : []), attachment],
    now,
  );
  emitRecordChanges(r.ctx, base, table, r.principal, {
    created: [],
    updated: [{ row, fieldIds: new Set([field.id]) }],
    destroyed: [],
  });
  return {
    id: row.id,
    createdTime: new Date(row.createdTime).toISOString(),
    fields: { [field.id]: readCell({ base, now }, table, row, field) },
  };
}

/** GET /content/files/{attachmentId}/{filename}: the uploaded bytes (fake-only convenience). */
export function serveAttachmentFile(ctx: FakeContext, path: string, res: ServerResponse): boolean {
  const m = /^\/content\/files\/(att[A-Za-z0-9]{14})\/[^/]+$/.exec(path);
  const file = m ? ctx.store.attachmentFiles.get(m[1]!) : undefined;
  if (!file) return false;
  res.writeHead(200, { 'Content-Type': file.type, 'Content-Length': file.bytes.length });
  res.end(file.bytes);
  return true;
}
