/** Scope strings: space separated, each one of Airtable's scopes (airtable.com/developers/web/api/scopes). */
import { isKnownScope, type Scope } from '../state/model';

/** Parses a scope parameter; `undefined` when it is empty or holds an unknown scope. */
export function parseScopes(raw: string | null | undefined): Scope[] | undefined {
  if (raw == null) return undefined;
  const parts = raw.split(' ').filter((s) => s !== '');
  if (parts.length === 0) return undefined;
  const out: Scope[] = [];
  for (const p of parts) {
    if (!isKnownScope(p)) return undefined;
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

export function formatScopes(scopes: readonly Scope[]): string {
  return scopes.join(' ');
}
