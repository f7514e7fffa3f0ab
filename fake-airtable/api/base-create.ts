/**
 * create-base (airtable.com/developers/web/api/create-base): `POST /v0/meta/bases` with the strict
 * body `{name, workspaceId, tables}`; scope schema.bases:write; the user must have "create"
 * (creator) permission on the workspace and the token must reach it (all bases, or the workspace
 * in its access list). At least one table, each with at least one field (the first is the primary
 * field, of a type that can be primary); each table gets a "Grid view". The answer is
 * `{id, tables}` with table models as get-base-schema shows them.
 */
import { z } from 'zod';
import { requireScope } from '../auth/principal';
import { isCreatableThroughApi, isFieldType } from '../fields/field-types';
import { ApiError, invalidPermissions } from '../http/errors';
import { newId } from '../ids';
import { atLeast, type Base } from '../state/model';
import { createTable, SchemaError } from '../state/schema-builder';
import { jsonBody, onlyQueryParams, parseWith, type ApiRequest } from './request';
import { tableModel } from './schema-models';

const fieldBody = z.strictObject({
  name: z.string(),
  type: z.string(),
  description: z.string().max(20000).optional(),
  options: z.record(z.string(), z.unknown()).optional(),
});
const createBaseBody = z.strictObject({
  name: z.string().min(1),
  workspaceId: z.string(),
  tables: z
    .array(
      z.strictObject({
        name: z.string(),
        description: z.string().max(20000).optional(),
        fields: z.array(fieldBody).min(1),
      }),
    )
    .min(1),
});

export async function createBase(r: ApiRequest): Promise<unknown> {
  onlyQueryParams(r.url, /^$/);
  requireScope(r.principal, 'schema.bases:write');
  const body = parseWith(createBaseBody, await jsonBody(r));
  const workspace = r.ctx.store.workspaces.get(body.workspaceId);
  const p = r.principal;
  if (!workspace || (p.bases !== 'all' && !p.bases.has(workspace.id)))
    throw invalidPermissions('no such workspace, or the token cannot reach it');
  const level = workspace.collaborators.get(p.userId) ?? 'none';
  if (level === 'none') throw invalidPermissions('the user is not in this workspace');
  if (!atLeast(level, 'create'))
    throw new ApiError(
      403,
      'INVALID_PERMISSIONS',
      `You are not permitted to perform this operation: creating a base needs "create" permission on the workspace, the user has "${level}".`,
    );
  const base: Base = {
    id: newId('app'),
    name: body.name,
    collaborators: new Map([[p.userId, 'create']]),
    tables: [],
    workspaceId: workspace.id,
  };
  for (const t of body.tables)
    for (const f of t.fields)
      if (isFieldType(f.type) && !isCreatableThroughApi(f.type))
        throw new ApiError(
          422,
          'UNSUPPORTED_FIELD_TYPE_FOR_CREATE',
          `Field type "${f.type}" cannot be created through the API`,
        );
  try {
    for (const t of body.tables) createTable(base, t, true);
  } catch (err) {
    if (err instanceof SchemaError) throw new ApiError(422, err.type, err.message);
    throw err;
  }
  r.ctx.store.bases.set(base.id, base);
  return { id: base.id, tables: base.tables.map((t) => tableModel(base, t)) };
}
