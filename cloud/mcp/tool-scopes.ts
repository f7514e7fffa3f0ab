/**
 * Which of our OAuth scopes a JSON-RPC message needs (cloud/oauth-server/scopes.ts): tools that
 * only read need `airtable:read`, every other tool `airtable:write`. Applies to access tokens from
 * our authorization server; the seed's sessions carry the person's whole Airtable grant.
 */
import { ALL_TOOLS } from './tools';

const READ_ONLY = new Set<string>(
  ALL_TOOLS.filter((t) => t.annotations.readOnlyHint === true).map((t) => t.name),
);

export function scopeForTool(name: string): 'airtable:read' | 'airtable:write' {
  return READ_ONLY.has(name) ? 'airtable:read' : 'airtable:write';
}

/** The first scope the message(s) need that `granted` lacks, or undefined. */
export function missingScope(body: unknown, granted: readonly string[]): string | undefined {
  const messages = Array.isArray(body) ? body : [body];
  for (const m of messages) {
    if (!m || typeof m !== 'object') continue;
    const msg = m as { method?: unknown; params?: { name?: unknown } };
    if (msg.method !== 'tools/call') continue;
    const name = typeof msg.params?.name === 'string' ? msg.params.name : '';
    const need = scopeForTool(name);
    if (!granted.includes(need)) return need;
  }
  return undefined;
}

/** Whether the message(s) include a tools/call (the only method that reaches Airtable). */
export function callsTools(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some(
    (m) =>
      typeof m === 'object' && m !== null && (m as { method?: unknown }).method === 'tools/call',
  );
}
