/**
 * Idempotent schema application over Parse's REST schema API (`/schemas/<Class>`, master key):
 * creates missing classes, adds missing fields and indexes, sets CLPs. Never drops a field, an
 * index or data. Used by `npm run schema:apply` (over HTTP) and by Cloud Code at load time (through
 * Parse's in-process REST controller), so local and deployed servers get the same schema.
 */
import type { ClassDefinition } from './definitions';

/** One REST call to Parse with the master key; resolves the JSON body or rejects with {code, message}. */
export type SchemaRequest = (
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body?: unknown,
) => Promise<unknown>;

export interface SchemaChange {
  className: string;
  action: 'create-class' | 'add-fields' | 'add-indexes' | 'set-clp';
  detail: string;
}

export interface SchemaDrift {
  className: string;
  problem: string;
}

interface RemoteClass {
  fields: Record<string, { type?: string }>;
  classLevelPermissions?: Record<string, unknown>;
  indexes?: Record<string, Record<string, unknown>>;
}

const CLASS_NOT_FOUND = 103; // Parse.Error.INVALID_CLASS_NAME: "Class X does not exist."

async function getRemote(request: SchemaRequest, className: string): Promise<RemoteClass | null> {
  try {
    return (await request('GET', `schemas/${className}`)) as RemoteClass;
  } catch (err) {
    if ((err as { code?: number }).code === CLASS_NOT_FOUND) return null;
    throw err;
  }
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).sort().join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a.localeCompare(b),
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Compares one class with its definition; returns every difference. */
export function diffClass(def: ClassDefinition, remote: RemoteClass | null): SchemaDrift[] {
  if (!remote) return [{ className: def.className, problem: 'class is missing' }];
  const drift: SchemaDrift[] = [];
  for (const [name, field] of Object.entries(def.fields)) {
    const have = remote.fields[name];
    if (!have) drift.push({ className: def.className, problem: `field ${name} is missing` });
    else if (have.type !== field.type)
      drift.push({
        className: def.className,
        problem: `field ${name} has type ${have.type ?? '?'}, expected ${field.type}`,
      });
  }
  for (const [name, keys] of Object.entries(def.indexes)) {
    const have = remote.indexes?.[name];
    if (!have) drift.push({ className: def.className, problem: `index ${name} is missing` });
    else if (stableJson(have) !== stableJson(keys))
      drift.push({ className: def.className, problem: `index ${name} has other keys` });
  }
  const clp = remote.classLevelPermissions ?? {};
  for (const [op, want] of Object.entries(def.classLevelPermissions)) {
    if (stableJson(clp[op] ?? null) !== stableJson(want))
      drift.push({
        className: def.className,
        problem: `CLP ${op} is ${JSON.stringify(clp[op] ?? null)}, expected ${JSON.stringify(want)}`,
      });
  }
  return drift;
}

/** Reports drift for every class without changing anything. */
export async function checkSchema(
  request: SchemaRequest,
  defs: readonly ClassDefinition[],
): Promise<SchemaDrift[]> {
  const out: SchemaDrift[] = [];
  for (const def of defs) out.push(...diffClass(def, await getRemote(request, def.className)));
  return out;
}

/** Brings the server in line with the definitions; returns what changed. */
export async function applySchema(
  request: SchemaRequest,
  defs: readonly ClassDefinition[],
): Promise<SchemaChange[]> {
  const changes: SchemaChange[] = [];
  for (const def of defs) {
    let remote = await getRemote(request, def.className);
    if (!remote) {
      // Created locked from the first instant: fields and CLP in one request.
      await request('POST', `schemas/${def.className}`, {
        className: def.className,
        fields: def.fields,
        classLevelPermissions: def.classLevelPermissions,
      });
      changes.push({ className: def.className, action: 'create-class', detail: 'created locked' });
      remote = (await getRemote(request, def.className)) ?? { fields: {} };
    }
    const missingFields = Object.fromEntries(
      Object.entries(def.fields).filter(([name]) => !remote.fields[name]),
    );
    if (Object.keys(missingFields).length > 0) {
      await request('PUT', `schemas/${def.className}`, {
        className: def.className,
        fields: missingFields,
      });
      changes.push({
        className: def.className,
        action: 'add-fields',
        detail: Object.keys(missingFields).join(', '),
      });
    }
    const missingIndexes = Object.fromEntries(
      Object.entries(def.indexes).filter(([name]) => !remote.indexes?.[name]),
    );
    if (Object.keys(missingIndexes).length > 0) {
      await request('PUT', `schemas/${def.className}`, {
        className: def.className,
        indexes: missingIndexes,
      });
      changes.push({
        className: def.className,
        action: 'add-indexes',
        detail: Object.keys(missingIndexes).join(', '),
      });
    }
    const clpDrift = diffClass(def, remote).some((d) => d.problem.startsWith('CLP '));
    if (clpDrift || Object.keys(missingFields).length > 0) {
      await request('PUT', `schemas/${def.className}`, {
        className: def.className,
        classLevelPermissions: def.classLevelPermissions,
      });
      if (clpDrift)
        changes.push({
          className: def.className,
          action: 'set-clp',
          detail: 'locked to master key',
        });
    }
  }
  return changes;
}

/** A SchemaRequest over HTTP to any Parse server (local or parseapi.back4app.com). */
export function httpSchemaRequest(opts: {
  serverUrl: string;
  appId: string;
  masterKey: string;
  fetch?: typeof fetch;
}): SchemaRequest {
  const doFetch = opts.fetch ?? fetch;
  return async (method, path, body) => {
    const res = await doFetch(`${opts.serverUrl.replace(/\/+$/, '')}/${path}`, {
      method,
      headers: {
        'X-Parse-Application-Id': opts.appId,
        'X-Parse-Master-Key': opts.masterKey,
        'Content-Type': 'application/json',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw Object.assign(new Error(`Parse answered ${res.status} with a non-JSON body`), {
        code: res.status,
      });
    }
    if (!res.ok) {
      const err = json as { code?: number; error?: string };
      throw Object.assign(new Error(err.error ?? `Parse answered ${res.status}`), {
        code: err.code ?? res.status,
      });
    }
    return json;
  };
}
