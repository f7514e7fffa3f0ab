/**
 * The schema tool treats Parse's built-ins like our classes: `--check` reports drift on their CLPs,
 * apply locks them (creating _Installation / _Session when the database has none yet), and no
 * field or index is ever asked of them. Over a fake SchemaRequest; the real server:
 * test/integration/parse-builtins-locked.test.ts and schema-apply.test.ts.
 */
import { applySchema, type SchemaRequest } from '../../cloud/schema/apply';
import { BUILTIN_CLASS_DEFINITIONS, CLASS_NAMES } from '../../cloud/schema/definitions';
import { runSchemaTool } from '../../scripts/schema/schema-apply';

const LOCKED = Object.fromEntries(
  ['find', 'get', 'count', 'create', 'update', 'delete', 'addField'].map((op) => [op, {}]),
);
const builtinFields = { objectId: { type: 'String' }, createdAt: { type: 'Date' } };

/** A fake server holding `classes`; records every write. */
function fakeServer(classes: Record<string, { classLevelPermissions: Record<string, unknown> }>) {
  const writes: { method: string; path: string; body: unknown }[] = [];
  const request: SchemaRequest = (method, path, body) => {
    const name = path.replace(/^schemas\//, '');
    if (method !== 'GET') {
      writes.push({ method, path, body });
      const b = body as { classLevelPermissions?: Record<string, unknown> };
      classes[name] = { classLevelPermissions: b.classLevelPermissions ?? LOCKED };
      return Promise.resolve({});
    }
    const c = classes[name];
    if (!c) return Promise.reject(Object.assign(new Error('no class'), { code: 103 }));
    return Promise.resolve({ fields: builtinFields, indexes: { _id_: { _id: 1 } }, ...c });
  };
  return { request, writes };
}

it('lists the four built-ins among the classes it applies', () => {
  expect(CLASS_NAMES).toEqual(
    expect.arrayContaining(['_User', '_Role', '_Installation', '_Session']),
  );
  for (const d of BUILTIN_CLASS_DEFINITIONS) {
    expect(d.fields).toEqual({});
    expect(d.indexes).toEqual({});
    expect(d.classLevelPermissions).toEqual(LOCKED);
  }
});

it('--check reports an open built-in and exits 1', async () => {
  const { request } = fakeServer({
    _User: { classLevelPermissions: { ...LOCKED, create: { '*': true }, find: { '*': true } } },
    _Role: { classLevelPermissions: LOCKED },
    _Installation: { classLevelPermissions: LOCKED },
    _Session: { classLevelPermissions: LOCKED },
  });
  const lines: string[] = [];
  const result = await runSchemaTool({
    check: true,
    defs: BUILTIN_CLASS_DEFINITIONS,
    request,
    target: 'fake',
    out: (l) => lines.push(l),
  });
  expect(result.exitCode).toBe(1);
  expect(lines).toContain('  _User: CLP find is {"*":true}, expected {}');
  expect(lines).toContain('  _User: CLP create is {"*":true}, expected {}');
  expect(result.drift.every((d) => d.className === '_User')).toBe(true);
});

it('apply locks the built-ins, creating the ones the database lacks, and asks for no field', async () => {
  const { request, writes } = fakeServer({
    _User: { classLevelPermissions: { ...LOCKED, addField: { '*': true } } },
    _Role: { classLevelPermissions: LOCKED },
  });
  const changes = await applySchema(request, BUILTIN_CLASS_DEFINITIONS);
  expect(changes.map((c) => `${c.className}:${c.action}`).sort()).toEqual([
    '_Installation:create-class',
    '_Session:create-class',
    '_User:set-clp',
  ]);
  expect(writes).toContainEqual({
    method: 'POST',
    path: 'schemas/_Installation',
    body: { className: '_Installation', fields: {}, classLevelPermissions: LOCKED },
  });
  expect(writes).toContainEqual({
    method: 'PUT',
    path: 'schemas/_User',
    body: { className: '_User', classLevelPermissions: LOCKED },
  });
  expect(await applySchema(request, BUILTIN_CLASS_DEFINITIONS)).toEqual([]);
});
