/** zod schemas of the admin API's inputs (HTTP bodies and in-process calls alike). */
import { z } from 'zod';
import { KNOWN_SCOPES, PERMISSION_LEVELS } from '../state/model';

export const userSpecSchema = z.strictObject({
  id: z
    .string()
    .regex(/^usr[A-Za-z0-9]+$/, 'user ids start with "usr"')
    .optional(),
  email: z.string().optional(),
  name: z.string().optional(),
});
export type UserSpec = z.infer<typeof userSpecSchema>;

export const clientSpecSchema = z.strictObject({
  clientId: z.string().min(1).optional(),
  /** null: a client without secret (public); omitted: a random secret. */
  clientSecret: z.string().min(1).nullable().optional(),
  redirectUris: z.array(z.url()).optional(),
});
export type ClientSpec = z.infer<typeof clientSpecSchema>;

export const redirectUriSpecSchema = z.strictObject({
  uri: z.url(),
  clientId: z.string().optional(),
});
export type RedirectUriSpec = z.infer<typeof redirectUriSpecSchema>;

const basesSchema = z.union([z.literal('all'), z.array(z.string())]);

export const patSpecSchema = z.strictObject({
  userId: z.string(),
  scopes: z.array(z.enum(KNOWN_SCOPES)),
  bases: basesSchema,
});
export type PatSpec = z.infer<typeof patSpecSchema>;

const fieldSpecSchema = z.strictObject({
  id: z.string().optional(),
  name: z.string(),
  type: z.string(),
  description: z.string().optional(),
  options: z.record(z.string(), z.unknown()).optional(),
});

const viewSpecSchema = z.strictObject({
  id: z.string().optional(),
  name: z.string(),
  type: z.enum(['grid', 'form', 'calendar', 'gallery', 'kanban', 'timeline', 'block']).optional(),
  filterByFormula: z.string().optional(),
  sort: z
    .array(z.strictObject({ field: z.string(), direction: z.enum(['asc', 'desc']).optional() }))
    .optional(),
});

export const recordSpecSchema = z.strictObject({
  id: z
    .string()
    .regex(/^rec[A-Za-z0-9]{14}$/)
    .optional(),
  fields: z.record(z.string(), z.unknown()),
  createdTime: z.iso.datetime().optional(),
});
export type RecordSpec = z.infer<typeof recordSpecSchema>;

export const tableSpecSchema = z.strictObject({
  id: z
    .string()
    .regex(/^tbl[A-Za-z0-9]{14}$/)
    .optional(),
  name: z.string(),
  description: z.string().optional(),
  fields: z.array(fieldSpecSchema).min(1),
  views: z.array(viewSpecSchema).optional(),
  records: z.array(recordSpecSchema).optional(),
});
export type TableSpec = z.infer<typeof tableSpecSchema>;

export const baseSpecSchema = z.strictObject({
  id: z
    .string()
    .regex(/^app[A-Za-z0-9]{14}$/)
    .optional(),
  name: z.string().min(1),
  /** Users with "create" (owner) permission. */
  ownerUserIds: z.array(z.string()).default([]),
  collaborators: z
    .array(z.strictObject({ userId: z.string(), permissionLevel: z.enum(PERMISSION_LEVELS) }))
    .optional(),
  tables: z.array(tableSpecSchema).default([]),
  /** A workspace made with createWorkspace; tokens granted the workspace reach the base. */
  workspaceId: z
    .string()
    .regex(/^wsp[A-Za-z0-9]{14}$/)
    .optional(),
});
export type BaseSpec = z.input<typeof baseSpecSchema>;

export const workspaceSpecSchema = z.strictObject({
  id: z
    .string()
    .regex(/^wsp[A-Za-z0-9]{14}$/)
    .optional(),
  name: z.string().min(1),
  /** Users with "create" (owner) permission: they may create bases in it. */
  ownerUserIds: z.array(z.string()).default([]),
  collaborators: z
    .array(z.strictObject({ userId: z.string(), permissionLevel: z.enum(PERMISSION_LEVELS) }))
    .optional(),
});
export type WorkspaceSpec = z.input<typeof workspaceSpecSchema>;

export const collaboratorSpecSchema = z.strictObject({
  userId: z.string(),
  permissionLevel: z.enum(PERMISSION_LEVELS),
});

export const bulkRecordsSchema = z.strictObject({
  records: z.array(recordSpecSchema),
  typecast: z.boolean().optional(),
});
export type BulkRecords = z.infer<typeof bulkRecordsSchema>;

export const revokeSpecSchema = z
  .strictObject({
    grantId: z.string().optional(),
    userId: z.string().optional(),
    accessToken: z.string().optional(),
    refreshToken: z.string().optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), {
    message: 'give grantId, userId, accessToken or refreshToken',
  });
export type RevokeSpec = z.infer<typeof revokeSpecSchema>;

export const clockSpecSchema = z.strictObject({ ms: z.number().int().nonnegative() });

export const resetSpecSchema = z.strictObject({
  /** Keep OAuth clients and their registered redirect URIs (other test files may rely on them). */
  keepClients: z.boolean().optional(),
});

/** POST /__admin/authorize: the authorize query (as `url`, `query` string, or flat fields) plus the decision. */
export const adminAuthorizeSchema = z.looseObject({
  url: z.string().optional(),
  query: z.union([z.string(), z.record(z.string(), z.string())]).optional(),
  user_id: z.string().optional(),
  userId: z.string().optional(),
  decision: z.enum(['approve', 'deny']).optional(),
  base_ids: z.union([z.string(), z.array(z.string())]).optional(),
});
export type AdminAuthorizeSpec = z.infer<typeof adminAuthorizeSchema>;
