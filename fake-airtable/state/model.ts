/** The fake's in-memory data model: users, OAuth clients/grants, PATs, bases, tables, records, comments. */
import type { FieldType } from '../fields/field-types';

/** OAuth scopes Airtable knows (airtable.com/developers/web/api/scopes). */
export const KNOWN_SCOPES = [
  'data.records:read',
  'data.records:write',
  'data.recordComments:read',
  'data.recordComments:write',
  'schema.bases:read',
  'schema.bases:write',
  'webhook:manage',
  'block:manage',
  'user.email:read',
] as const;
export type Scope = (typeof KNOWN_SCOPES)[number];

export function isKnownScope(s: string): s is Scope {
  return (KNOWN_SCOPES as readonly string[]).includes(s);
}

/** Base permission levels, weakest first (airtable.com/developers/web/api/model/permission-levels). */
export const PERMISSION_LEVELS = ['none', 'read', 'comment', 'edit', 'create'] as const;
export type PermissionLevel = (typeof PERMISSION_LEVELS)[number];

export function atLeast(level: PermissionLevel, needed: PermissionLevel): boolean {
  return PERMISSION_LEVELS.indexOf(level) >= PERMISSION_LEVELS.indexOf(needed);
}

export interface User {
  id: string;
  email: string;
  name: string;
}

export interface OAuthClient {
  clientId: string;
  /** null: an integration registered without a client secret (public client). */
  clientSecret: string | null;
  redirectUris: Set<string>;
}

/** Which bases a token may reach: all the user's bases, or these ids. */
export type BaseGrant = 'all' | Set<string>;

export interface Pat {
  token: string;
  userId: string;
  scopes: Set<Scope>;
  bases: BaseGrant;
  revoked: boolean;
}

/** One user's consent to one client; its token pair rotates on every refresh. */
export interface Grant {
  id: string;
  clientId: string;
  userId: string;
  scopes: Scope[];
  bases: BaseGrant;
  createdAt: number;
  revoked: boolean;
  /** Bumped by every refresh: tokens of an older generation are dead. */
  generation: number;
  accessToken: string;
  accessExpiresAt: number;
  refreshToken: string;
  refreshExpiresAt: number;
  /** The refresh token replaced by the last rotation (a retry within the grace window gets 409). */
  previousRefresh?: { token: string; rotatedAt: number };
}

/** An /authorize request waiting on the consent page. */
export interface PendingAuthorization {
  id: string;
  clientId: string;
  redirectUri: string;
  scopes: Scope[];
  state: string;
  codeChallenge: string;
  createdAt: number;
  used: boolean;
}

export interface AuthorizationCode {
  code: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  scopes: Scope[];
  userId: string;
  bases: BaseGrant;
  createdAt: number;
  used: boolean;
}

export interface SelectChoice {
  id: string;
  name: string;
  color?: string;
}

/** Field options; which keys apply depends on the field type (airtable.com/developers/web/api/model/field-type). */
export interface FieldOptions {
  precision?: number;
  symbol?: string;
  choices?: SelectChoice[];
  linkedTableId?: string;
  inverseLinkFieldId?: string;
  prefersSingleRecordLink?: boolean;
  dateFormat?: { name: string; format: string };
  timeFormat?: { name: string; format: string };
  timeZone?: string;
  icon?: string;
  color?: string;
  max?: number;
  formula?: string;
  durationFormat?: string;
  /** count, lookup and rollup fields: the link field whose records are counted or read */
  recordLinkFieldId?: string;
  /** lookup and rollup fields: the field of the linked table whose values are read */
  fieldIdInLinkedTable?: string;
}

export interface Field {
  id: string;
  name: string;
  type: FieldType;
  description?: string;
  options?: FieldOptions;
}

export interface View {
  id: string;
  name: string;
  type: 'grid' | 'form' | 'calendar' | 'gallery' | 'kanban' | 'timeline' | 'block';
  /** Fake-only: a view may filter and sort like a saved Airtable view. */
  filterByFormula?: string;
  sort?: { field: string; direction: 'asc' | 'desc' }[];
}

export interface Attachment {
  id: string;
  url: string;
  filename: string;
  size?: number;
  type?: string;
}

/** A stored cell value (computed fields are not stored). */
export type CellValue = string | number | boolean | string[] | Attachment[];

export interface Comment {
  id: string;
  authorId: string;
  text: string;
  createdTime: number;
  lastUpdatedTime: number | null;
}

export interface RecordRow {
  id: string;
  createdTime: number;
  lastModifiedTime: number;
  autoNumber: number;
  /** keyed by field id */
  cells: Map<string, CellValue>;
  comments: Comment[];
}

export interface Table {
  id: string;
  name: string;
  description?: string;
  primaryFieldId: string;
  fields: Field[];
  views: View[];
  /** insertion order = the default order of records */
  records: Map<string, RecordRow>;
  nextAutoNumber: number;
}

export interface Base {
  id: string;
  name: string;
  collaborators: Map<string, PermissionLevel>;
  tables: Table[];
  /** The workspace holding the base (bases made by create-base; admin-built ones may have none). */
  workspaceId?: string;
}

/** A workspace: where create-base puts a base; "create" permission on it is needed to do so. */
export interface Workspace {
  id: string;
  name: string;
  collaborators: Map<string, PermissionLevel>;
}

/** airtable.com/developers/web/api/model/webhooks-specification (validated when created). */
export interface WebhookSpecification {
  options: {
    filters: {
      dataTypes: ('tableData' | 'tableFields' | 'tableMetadata')[];
      recordChangeScope?: string | undefined;
      changeTypes?: ('add' | 'remove' | 'update')[] | undefined;
      fromSources?: string[] | undefined;
      watchDataInFieldIds?: string[] | undefined;
      watchSchemasOfFieldIds?: string[] | undefined;
      sourceOptions?: Record<string, unknown> | undefined;
    };
    includes?:
      | {
          includeCellValuesInFieldIds?: string[] | 'all' | undefined;
          includePreviousCellValues?: boolean | undefined;
          includePreviousFieldDefinitions?: boolean | undefined;
        }
      | undefined;
  };
}

export interface WebhookPayload {
  /** Transaction number of this payload (its cursor). */
  number: number;
  createdAt: number;
  body: Record<string, unknown>;
}

/** airtable.com/developers/web/api/webhooks-overview */
export interface Webhook {
  id: string;
  baseId: string;
  /** The OAuth integration that created it (it alone may see it); null for a personal access token. */
  clientId: string | null;
  notificationUrl: string | null;
  specification: WebhookSpecification;
  macSecretBase64: string;
  createdTime: number;
  /** 7 days after creation, refresh or listing payloads; then disabled. */
  expirationTime: number;
  cursorForNextPayload: number;
  payloads: WebhookPayload[];
}
