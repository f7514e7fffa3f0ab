/**
 * The scopes our authorization server grants to MCP clients. They are deliberately coarse and
 * independent of Airtable's own scopes: the Airtable grant (AIRTABLE_SCOPES) bounds what any
 * token can ever do at Airtable, and ours narrow that per MCP client.
 *
 * - `airtable:read`  - tools that only read (list bases, describe tables, list/get/search records,
 *   list comments); needs Airtable's data.records:read / schema.bases:read.
 * - `airtable:write` - tools that change data (create/update/delete records, create tables and
 *   fields, add comments); needs Airtable's data.records:write / schema.bases:write.
 *
 * A request without `scope` gets every scope (ChatGPT may omit it; RFC 6749 section 3.3 lets the
 * server pick a default). Enforcement happens in the MCP tools (403 insufficient_scope).
 */
import { InvalidScopeError } from './errors';

export const SCOPE_DESCRIPTIONS = {
  'airtable:read': 'Read your bases, tables, fields, records and comments',
  'airtable:write': 'Create, change and delete records, tables, fields and comments',
} as const;

export type Scope = keyof typeof SCOPE_DESCRIPTIONS;

export const SUPPORTED_SCOPES: readonly Scope[] = Object.keys(SCOPE_DESCRIPTIONS) as Scope[];

export function isScope(value: string): value is Scope {
  return Object.prototype.hasOwnProperty.call(SCOPE_DESCRIPTIONS, value);
}

/**
 * Parses a `scope` parameter (RFC 6749 section 3.3: space-delimited, order-free). Empty or absent
 * means `fallback`. Unknown or not-allowed scopes throw invalid_scope.
 */
export function parseScope(
  raw: string | undefined,
  allowed: readonly string[] = SUPPORTED_SCOPES,
  fallback: readonly string[] = allowed,
): Scope[] {
  const words = (raw ?? '').split(' ').filter((w) => w.length > 0);
  if (words.length === 0) return normalizeScopes(fallback);
  for (const w of words) {
    if (!isScope(w)) throw new InvalidScopeError(`Unknown scope "${w.slice(0, 64)}".`);
    if (!allowed.includes(w)) throw new InvalidScopeError(`Scope "${w}" is not allowed here.`);
  }
  return normalizeScopes(words);
}

/** Known scopes only, without duplicates, in our canonical order. */
export function normalizeScopes(scopes: readonly string[]): Scope[] {
  return SUPPORTED_SCOPES.filter((s) => scopes.includes(s));
}

export function scopeString(scopes: readonly string[]): string {
  return normalizeScopes(scopes).join(' ');
}
