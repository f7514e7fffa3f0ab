/**
 * GET /v0/{baseId}/{table} and POST /v0/{baseId}/{table}/listRecords (list-records), and
 * GET /v0/{baseId}/{table}/{recordId} (get-record). Scope data.records:read.
 */
import { serializeRecord } from './record-serialize';
import { fieldOrThrow, recordOrThrow, recordsTable } from './records-access';
import {
  listParamsFromBody,
  listParamsFromQuery,
  readParamsFromQuery,
  type ListParams,
} from './records-params';
import { pageOfIds } from './records-query';
import { jsonBody, onlyQueryParams, type ApiRequest } from './request';

function list(r: ApiRequest, p: ListParams): unknown {
  const { base, table } = recordsTable(r, 'data.records:read', 'read');
  const fieldIds = p.fields ? new Set(p.fields.map((f) => fieldOrThrow(table, f).id)) : undefined;
  const rc = { base, now: r.ctx.clock.now() };
  const page = pageOfIds(r.ctx, rc, base.id, table, p);
  const records = page.ids
    .map((id) => table.records.get(id))
    .filter((row) => row !== undefined)
    .map((row) =>
      serializeRecord(rc, table, row, {
        fieldIds,
        byFieldId: p.returnFieldsByFieldId,
        cellFormat: p.cellFormat,
        timeZone: p.timeZone,
        commentCount: p.commentCount,
      }),
    );
  return { records, ...(page.offset ? { offset: page.offset } : {}) };
}

export function listRecordsGet(r: ApiRequest): unknown {
  return list(r, listParamsFromQuery(r.url));
}

export async function listRecordsPost(r: ApiRequest): Promise<unknown> {
  onlyQueryParams(r.url, /^$/);
  // Checked before the body so that a missing scope is a 403 whatever the body holds.
  recordsTable(r, 'data.records:read', 'read');
  return list(r, listParamsFromBody(await jsonBody(r)));
}

export function getRecord(r: ApiRequest): unknown {
  const p = readParamsFromQuery(r.url);
  const { base, table } = recordsTable(r, 'data.records:read', 'read');
  const row = recordOrThrow(table, r.params.recordId!);
  return serializeRecord({ base, now: r.ctx.clock.now() }, table, row, {
    byFieldId: p.returnFieldsByFieldId,
    cellFormat: p.cellFormat,
    timeZone: p.timeZone,
  });
}
