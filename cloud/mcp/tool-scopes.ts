/**
 * Which of our OAuth scopes a JSON-RPC message needs (cloud/oauth-server/protocol/scopes.ts): tools that
 * only read need `airtable:read`, every other tool `airtable:write`; every resources/* and
 * prompts/* method needs `airtable:read` (they show the person's bases or lead to its tools).
 * Applies to access tokens from our authorization server; the seed's sessions carry the person's
 * whole Airtable grant.
 */
import { ALL_TOOLS } from './tools';

const READ_ONLY = new Set<string>(
  ALL_TOOLS.filter((t) => t.annotations.readOnlyHint === true).map((t) => t.name),
);

/** Methods that reach Airtable with the person's stored credential. */
const AIRTABLE_METHODS = new Set(['tools/call', 'resources/list', 'resources/read']);

export function scopeForTool(name: string): 'airtable:read' | 'airtable:write' {
  return READ_ONLY.has(name) ? 'airtable:read' : 'airtable:write';
}

function messagesOf(body: unknown): { method?: unknown; params?: { name?: unknown } }[] {
  const messages = Array.isArray(body) ? body : [body];
  return messages.filter((m): m is { method?: unknown } => typeof m === 'object' && m !== null);
}

/** The scope one message needs, or undefined when it needs none (initialize, ping, tools/list). */
export function scopeForMessage(msg: {
  method?: unknown;
  params?: { name?: unknown };
}): 'airtable:read' | 'airtable:write' | undefined {
  if (typeof msg.method !== 'string') return undefined;
  if (msg.method === 'tools/call')
    return scopeForTool(typeof msg.params?.name === 'string' ? msg.params.name : '');
  if (msg.method.startsWith('resources/') || msg.method.startsWith('prompts/'))
    return 'airtable:read';
  return undefined;
}

/** The first scope the message(s) need that `granted` lacks, or undefined. */
export function missingScope(body: unknown, granted: readonly string[]): string | undefined {
  for (const m of messagesOf(body)) {
    const need = scopeForMessage(m);
    if (need && !granted.includes(need)) return need;
  }
  return undefined;
}

/** Whether the message(s) reach Airtable (tools/call, resources/list, resources/read). */
export function reachesAirtable(body: unknown): boolean {
  return messagesOf(body).some(
    (m) => typeof m.method === 'string' && AIRTABLE_METHODS.has(m.method),
  );
}

/** The methods of the message(s) in a request body (an object, or a batch array). */
export function messageMethods(body: unknown): Set<string> {
  const out = new Set<string>();
  for (const m of messagesOf(body)) if (typeof m.method === 'string') out.add(m.method);
  return out;
}
