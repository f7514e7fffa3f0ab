/**
 * GET /v0/meta/bases (airtable.com/developers/web/api/list-bases): needs schema.bases:read; the
 * bases the token can reach with the user's permission level, in pages (up to 1000) with `offset`.
 */
import { requireScope, permissionOn } from '../auth/principal';
import { ApiError } from '../http/errors';
import type { ApiRequest } from './request';
import { onlyQueryParams } from './request';

export function listBases(r: ApiRequest): unknown {
  onlyQueryParams(r.url, /^offset$/);
  requireScope(r.principal, 'schema.bases:read');
  const visible = [...r.ctx.store.bases.values()]
    .map((b) => ({ id: b.id, name: b.name, permissionLevel: permissionOn(r.principal, b) }))
    .filter((b) => b.permissionLevel !== 'none');
  let start = 0;
  const offset = r.url.searchParams.get('offset');
  if (offset !== null) {
    start = visible.findIndex((b) => `itrBases/${b.id}` === offset);
    if (start < 0)
      throw new ApiError(422, 'INVALID_OFFSET_VALUE', 'The offset is invalid or expired.');
  }
  const size = r.ctx.config.basesPageSize;
  const page = visible.slice(start, start + size);
  const next = visible[start + size];
  return { bases: page, ...(next ? { offset: `itrBases/${next.id}` } : {}) };
}
