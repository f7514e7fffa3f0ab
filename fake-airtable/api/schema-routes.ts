/**
 * Schema endpoints (airtable.com/developers/web/api): get-base-schema (schema.bases:read) and
 * create-table, update-table, create-field, update-field (schema.bases:write, "create"
 * permission on the base). Only name and description can be changed after creation.
 */
import { z } from 'zod';
import { accessBase, requireScope } from '../auth/principal';
import { isCreatableThroughApi, isFieldType } from '../fields/field-types';
import { ApiError, invalidPermissions } from '../http/errors';
import type { Base, Table } from '../state/model';
import { addField, createTable, SchemaError, type FieldSpec } from '../state/schema-builder';
import { findField, sameName } from '../state/store';
import { emitSchemaChanges } from '../webhooks/emit';
import { jsonBody, onlyQueryParams, parseWith, type ApiRequest } from './request';
import { fieldModel, tableModel } from './schema-models';

const fieldBody = z.strictObject({
  name: z.string(),
  type: z.string(),
  description: z.string().max(20000).optional(),
  options: z.record(z.string(), z.unknown()).optional(),
});
const createTableBody = z.strictObject({
  name: z.string(),
  description: z.string().max(20000).optional(),
  fields: z.array(fieldBody).min(1),
});
const renameBody = z
  .strictObject({
    name: z.string().min(1).optional(),
    description: z.string().max(20000).optional(),
  })
  .refine((b) => b.name !== undefined || b.description !== undefined, {
    message: 'give name and/or description',
  });

function schemaError(err: unknown): never {
  if (err instanceof SchemaError) throw new ApiError(422, err.type, err.message);
  throw err;
}

function checkCreatable(spec: FieldSpec): void {
  if (isFieldType(spec.type) && !isCreatableThroughApi(spec.type))
    throw new ApiError(
      422,
      'UNSUPPORTED_FIELD_TYPE_FOR_CREATE',
      `Field type "${spec.type}" cannot be created through the API`,
    );
}

function schemaBase(r: ApiRequest, write: boolean): Base {
  requireScope(r.principal, write ? 'schema.bases:write' : 'schema.bases:read');
  return accessBase(r.ctx, r.principal, r.params.baseId!, write ? 'create' : 'read');
}

function schemaTable(r: ApiRequest, base: Base): Table {
  const table = r.ctx.store.findTable(base, r.params.table!);
  if (!table) throw invalidPermissions(`no table "${r.params.table}" in this base`);
  return table;
}

export function getBaseSchema(r: ApiRequest): unknown {
  onlyQueryParams(r.url, /^include(\[\d*\])?$/);
  const include = [...r.url.searchParams.entries()].filter(([k]) => k.startsWith('include'));
  for (const [, v] of include)
    if (v !== 'visibleFieldIds')
      throw new ApiError(422, 'INVALID_REQUEST_UNKNOWN', `Unknown include value "${v}"`);
  const base = schemaBase(r, false);
  return { tables: base.tables.map((t) => tableModel(base, t, include.length > 0)) };
}

export async function createTableRoute(r: ApiRequest): Promise<unknown> {
  const base = schemaBase(r, true);
  const body = parseWith(createTableBody, await jsonBody(r));
  body.fields.forEach(checkCreatable);
  try {
    const table = createTable(base, body, true);
    emitSchemaChanges(r.ctx, base, table, r.principal, { createdFields: table.fields });
    return tableModel(base, table);
  } catch (err) {
    return schemaError(err);
  }
}

export async function updateTableRoute(r: ApiRequest): Promise<unknown> {
  const base = schemaBase(r, true);
  const table = schemaTable(r, base);
  const body = parseWith(renameBody, await jsonBody(r));
  const emitMetadata = () =>
    emitSchemaChanges(r.ctx, base, table, r.principal, {
      metadata: { current: { name: table.name, description: table.description ?? null } },
    });
  if (body.name !== undefined) {
    if (base.tables.some((t) => t !== table && sameName(t.name, body.name!)))
      throw new ApiError(
        422,
        'DUPLICATE_TABLE_NAME',
        `A table named "${body.name}" already exists`,
      );
    table.name = body.name;
  }
  if (body.description !== undefined) table.description = body.description;
  emitMetadata();
  return tableModel(base, table);
}

export async function createFieldRoute(r: ApiRequest): Promise<unknown> {
  const base = schemaBase(r, true);
  const table = schemaTable(r, base);
  const body = parseWith(fieldBody, await jsonBody(r));
  checkCreatable(body);
  try {
    const field = addField(base, table, body, true);
    emitSchemaChanges(r.ctx, base, table, r.principal, { createdFields: [field] });
    return fieldModel(base, table, field);
  } catch (err) {
    return schemaError(err);
  }
}

export async function updateFieldRoute(r: ApiRequest): Promise<unknown> {
  const base = schemaBase(r, true);
  const table = schemaTable(r, base);
  const field = findField(table, r.params.field!);
  if (!field) throw invalidPermissions(`no field "${r.params.field}" in this table`);
  const body = parseWith(renameBody, await jsonBody(r));
  const previous = {
    name: field.name,
    ...(field.description ? { description: field.description } : {}),
  };
  if (body.name !== undefined) {
    if (table.fields.some((f) => f !== field && sameName(f.name, body.name!)))
      throw new ApiError(
        422,
        'DUPLICATE_OR_EMPTY_FIELD_NAME',
        `A field named "${body.name}" already exists`,
      );
    field.name = body.name;
  }
  if (body.description !== undefined) field.description = body.description;
  emitSchemaChanges(r.ctx, base, table, r.principal, { changedFields: [{ field, previous }] });
  return fieldModel(base, table, field);
}
