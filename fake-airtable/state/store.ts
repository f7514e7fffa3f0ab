/** All mutable state of one fake instance; `reset` swaps in a fresh Store. */
import type {
  AuthorizationCode,
  Base,
  Field,
  Grant,
  OAuthClient,
  Pat,
  PendingAuthorization,
  Table,
  User,
  Webhook,
  Workspace,
} from './model';

/** A records list in progress: the ids of the first page's query, served page by page. */
export interface ListIterator {
  id: string;
  baseId: string;
  tableId: string;
  /** Parameters other than pageSize/offset: a different query cannot reuse the iterator. */
  fingerprint: string;
  recordIds: string[];
  createdAt: number;
}

export interface TokenRef {
  grantId: string;
  generation: number;
}

export class Store {
  readonly users = new Map<string, User>();
  readonly clients = new Map<string, OAuthClient>();
  readonly pats = new Map<string, Pat>();
  readonly grants = new Map<string, Grant>();
  readonly accessTokens = new Map<string, TokenRef>();
  readonly refreshTokens = new Map<string, TokenRef>();
  readonly pending = new Map<string, PendingAuthorization>();
  readonly codes = new Map<string, AuthorizationCode>();
  readonly bases = new Map<string, Base>();
  readonly iterators = new Map<string, ListIterator>();
  readonly workspaces = new Map<string, Workspace>();
  readonly webhooks = new Map<string, Webhook>();
  /** Bytes of uploaded attachments by attachment id (served at /content/files/...). */
  readonly attachmentFiles = new Map<string, { bytes: Buffer; type: string }>();

  /** Table by id, else by exact name (Airtable accepts both in URLs). */
  findTable(base: Base, idOrName: string): Table | undefined {
    return (
      base.tables.find((t) => t.id === idOrName) ?? base.tables.find((t) => t.name === idOrName)
    );
  }
}

/** Field by id, else by exact name. */
export function findField(table: Table, idOrName: string): Field | undefined {
  return (
    table.fields.find((f) => f.id === idOrName) ?? table.fields.find((f) => f.name === idOrName)
  );
}

export function primaryField(table: Table): Field {
  const f = table.fields.find((x) => x.id === table.primaryFieldId);
  if (!f) throw new Error(`table ${table.id} has no primary field`);
  return f;
}

/** Airtable treats names as equal case-insensitively when checking for duplicates. */
export function sameName(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}
