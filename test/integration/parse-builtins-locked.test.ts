/**
 * Parse's built-in classes this server never uses (_User, _Role, _Installation, _Session) are
 * locked to the master key (schema/_*.json, applied by Cloud Code's load-time check: nothing else
 * touched this fresh database), so with the REST or the JavaScript key nobody can sign up (with a
 * password, with extra fields, or anonymously), create installations or roles, or read, count,
 * update or delete what is there. Proved on the local stack (anonymous users off) and on an
 * instance with parse-server's defaults (anonymous users on), as on Back4App, where the CLPs and
 * triggers must do the job alone.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import Parse from 'parse/node';
import { harness } from '../harness/env';
import { startChildStack, type ChildStack } from '../helpers/child-stack';
import { BUILTIN_CLASS_DEFINITIONS } from '../../cloud/schema/definitions';

const h = harness();
const master = { 'X-Parse-Master-Key': h.masterKey };
const clientKeys: [string, Record<string, string>][] = [
  ['REST API key', { 'X-Parse-REST-API-Key': h.restApiKey }],
  ['JavaScript key', { 'X-Parse-Javascript-Key': h.javascriptKey }],
];

async function call(
  baseUrl: string,
  method: string,
  route: string,
  keys: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${baseUrl}/parse/${route}`, {
    method,
    headers: { 'X-Parse-Application-Id': h.appId, 'Content-Type': 'application/json', ...keys },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const hex = () => randomBytes(6).toString('hex');
const signUp = () => ({ username: `intruder-${hex()}`, password: `pw-${hex()}-long` });
const anonymous = () => ({ authData: { anonymous: { id: randomUUID() } } });
const installation = () => ({ deviceType: 'android', installationId: randomUUID() });
const role = () => ({ name: `role${hex()}`, ACL: { '*': { read: true } } });

/** Every write a client key could try on the built-ins, each of which must be refused. */
async function expectCreatesRefused(baseUrl: string, keys: Record<string, string>) {
  const extraField = `extra_${hex()}`;
  const attempts: [string, string, unknown][] = [
    ['sign-up', 'users', signUp()],
    ['sign-up with an extra field', 'users', { ...signUp(), [extraField]: 'x' }],
    ['anonymous sign-up', 'users', anonymous()],
    ['installation', 'installations', installation()],
    ['role', 'roles', role()],
    ['session', 'sessions', { user: { __type: 'Pointer', className: '_User', objectId: 'x' } }],
  ];
  for (const [what, route, body] of attempts) {
    const res = await call(baseUrl, 'POST', route, keys, body);
    expect({ what, status: res.status, token: res.json.sessionToken }).toEqual({
      what,
      status: 400,
      token: undefined,
    });
    expect(res.json.objectId).toBeUndefined();
  }
  const schema = await call(baseUrl, 'GET', 'schemas/_User', master);
  expect(Object.keys(schema.json.fields as object)).not.toContain(extraField);
}

describe('the built-ins on the local stack', () => {
  const rows: Record<string, string> = {};
  beforeAll(async () => {
    // Rows made with the master key (which stays allowed), for the get/update/delete attempts.
    for (const [className, route, body] of [
      ['_User', 'users', signUp()],
      ['_Role', 'roles', role()],
      ['_Installation', 'installations', installation()],
    ] as const) {
      const made = await call(h.baseUrl, 'POST', route, master, body);
      expect(made.status).toBe(201);
      rows[className] = String(made.json.objectId);
    }
  });
  afterAll(async () => {
    for (const [className, id] of Object.entries(rows))
      await call(h.baseUrl, 'DELETE', `classes/${className}/${id}`, master);
  });

  it.each(BUILTIN_CLASS_DEFINITIONS.map((d) => d.className))(
    '%s has the master-key-only CLP',
    async (className) => {
      const { status, json } = await call(h.baseUrl, 'GET', `schemas/${className}`, master);
      expect(status).toBe(200);
      const clp = json.classLevelPermissions as Record<string, unknown>;
      for (const op of ['find', 'get', 'count', 'create', 'update', 'delete', 'addField'])
        expect({ op, value: clp[op] }).toEqual({ op, value: {} });
    },
  );

  describe.each(clientKeys)('with the %s', (_label, keys) => {
    it('refuses sign-up (also with extra fields or anonymous authData), installations, roles and sessions', async () => {
      await expectCreatesRefused(h.baseUrl, keys);
    });

    it('refuses find, count, get, update and delete on every built-in', async () => {
      for (const className of ['_User', '_Role', '_Installation', '_Session']) {
        const find = await call(h.baseUrl, 'GET', `classes/${className}`, keys);
        expect({ className, status: find.status }).toEqual({ className, status: 400 });
        const count = await call(h.baseUrl, 'GET', `classes/${className}?count=1&limit=0`, keys);
        expect({ className, status: count.status }).toEqual({ className, status: 400 });
      }
      for (const route of ['users', 'roles', 'installations', 'sessions']) {
        const list = await call(h.baseUrl, 'GET', route, keys);
        expect({ route, status: list.status }).toEqual({ route, status: 400 });
      }
      for (const [className, id] of Object.entries(rows)) {
        const get = await call(h.baseUrl, 'GET', `classes/${className}/${id}`, keys);
        expect({ className, status: get.status }).toEqual({ className, status: 400 });
        const update = await call(h.baseUrl, 'PUT', `classes/${className}/${id}`, keys, {
          note: 'x',
        });
        expect(update.status).toBeGreaterThanOrEqual(400);
        const del = await call(h.baseUrl, 'DELETE', `classes/${className}/${id}`, keys);
        expect(del.status).toBeGreaterThanOrEqual(400);
      }
      // Nothing changed: the rows are there, untouched.
      for (const [className, id] of Object.entries(rows)) {
        const row = await call(h.baseUrl, 'GET', `classes/${className}/${id}`, master);
        expect(row.status).toBe(200);
        expect(row.json.note).toBeUndefined();
      }
    });
  });

  describe('through the Parse JavaScript SDK (JavaScript key)', () => {
    beforeAll(() => {
      Parse.initialize(h.appId, h.javascriptKey);
      (Parse as unknown as { serverURL: string }).serverURL = `${h.baseUrl}/parse`;
    });

    const refusedCode = async (p: Promise<unknown>): Promise<number> => {
      try {
        await p;
      } catch (err) {
        return (err as { code: number }).code;
      }
      throw new Error('the SDK call succeeded');
    };

    it('cannot sign up, sign up anonymously, or create installations and roles', async () => {
      const user = new Parse.User();
      user.set({ ...signUp(), extra: 'x' });
      expect(await refusedCode(user.signUp())).toBe(Parse.Error.OPERATION_FORBIDDEN);
      // Anonymous users are off on the local stack: parse-server refuses the provider itself.
      expect(await refusedCode(Parse.AnonymousUtils.logIn())).toBe(Parse.Error.UNSUPPORTED_SERVICE);
      const inst = new Parse.Installation();
      inst.set(installation());
      expect(await refusedCode(inst.save())).toBe(Parse.Error.OPERATION_FORBIDDEN);
      expect(await refusedCode(new Parse.Role(`r${hex()}`, new Parse.ACL()).save())).toBe(
        Parse.Error.OPERATION_FORBIDDEN,
      );
      expect(await refusedCode(new Parse.Query(Parse.User).find())).toBe(
        Parse.Error.OPERATION_FORBIDDEN,
      );
    });
  });
});

describe("an instance with parse-server's default options (anonymous users on, as on Back4App)", () => {
  let other: ChildStack;
  beforeAll(async () => {
    other = await startChildStack({ env: { INSTANCE_ANONYMOUS_USERS: '1' } });
  }, 120_000);
  afterAll(async () => {
    await other?.stop();
  });

  it.each(clientKeys)(
    'the CLPs and triggers alone refuse every create with the %s',
    async (_l, keys) => {
      await expectCreatesRefused(other.url, keys);
      const anon = await call(other.url, 'POST', 'users', keys, anonymous());
      expect(anon.json.code).toBe(Parse.Error.OPERATION_FORBIDDEN);
    },
  );
});
