/**
 * Our classes exist with the master-key-only CLPs from schema/, and no client key (REST, JS, none)
 * can find, get, count, create, update or delete in them, nor create a class; the master key can.
 * Parse's built-ins (also in schema/): test/integration/parse-builtins-locked.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { harness, parseRest } from '../harness/env';
import { OWN_CLASS_NAMES } from '../../cloud/schema/definitions';
import { sampleRow } from '../../scripts/bench/bench-cleanup';

const h = harness();
const clientKeys: [string, Record<string, string>][] = [
  ['REST API key', { 'X-Parse-REST-API-Key': h.restApiKey }],
  ['JavaScript key', { 'X-Parse-Javascript-Key': h.javascriptKey }],
  ['no key', {}],
];
const master = { 'X-Parse-Master-Key': h.masterKey };

const hex64 = () => randomBytes(32).toString('hex');
const later = { __type: 'Date', iso: new Date(Date.now() + 3600_000).toISOString() };

/** A row the triggers accept (hashed columns, encrypted tokens, expires_at) for each class. */
function validRow(className: string): Record<string, unknown> {
  switch (className) {
    case 'OAuthState':
    case 'UserSession':
    case 'UserToken':
      return sampleRow(className, 1, {
        expired: false,
        key: h.encryptionKey,
        prefix: `locked-${hex64().slice(0, 8)}`,
        now: new Date(),
      });
    case 'OAuthClient':
      return { client_id: `client-${hex64().slice(0, 12)}`, data: '{}', expires_at: later };
    case 'OAuthConsent':
      return { consent_id: hex64(), data: '{}', expires_at: later };
    case 'OAuthCode':
      return { code: hex64(), data: '{}', uses: 0, expires_at: later };
    case 'OAuthGrant':
      return {
        grant_id: hex64(),
        user_id: 'usrLocked',
        client_id: 'c',
        data: '{}',
        revoked: false,
        expires_at: later,
      };
    case 'OAuthRefreshToken':
      return { token: hex64(), grant_id: hex64(), client_id: 'c', uses: 0, expires_at: later };
    default:
      throw new Error(`no valid row known for ${className}: add one here`);
  }
}

describe.each(OWN_CLASS_NAMES)('class %s', (className) => {
  let objectId: string;
  beforeAll(async () => {
    const created = await parseRest('POST', `classes/${className}`, master, validRow(className));
    expect(created.status).toBe(201);
    objectId = String(created.json.objectId);
  });

  it('has the locked CLPs and indexes', async () => {
    const { status, json } = await parseRest('GET', `schemas/${className}`, master);
    expect(status).toBe(200);
    const clp = json.classLevelPermissions as Record<string, unknown>;
    for (const op of ['find', 'get', 'count', 'create', 'update', 'delete', 'addField'])
      expect(clp[op]).toEqual({});
    expect(Object.keys(json.indexes as object)).toContain('expires_at_1');
  });

  it.each(clientKeys)('refuses every operation with the %s', async (_label, keys) => {
    const find = await parseRest('GET', `classes/${className}`, keys);
    expect(find.status).not.toBe(200);
    const count = await parseRest('GET', `classes/${className}?count=1&limit=0`, keys);
    expect(count.status).not.toBe(200);
    const create = await parseRest('POST', `classes/${className}`, keys, { data: 'x' });
    expect(create.status).not.toBe(201);
    {
      const get = await parseRest('GET', `classes/${className}/${objectId}`, keys);
      expect(get.status).not.toBe(200);
      const update = await parseRest('PUT', `classes/${className}/${objectId}`, keys, {
        data: 'y',
      });
      expect(update.status).not.toBe(200);
      const del = await parseRest('DELETE', `classes/${className}/${objectId}`, keys);
      expect(del.status).not.toBe(200);
    }
    const newClass = await parseRest('POST', `classes/Intruder${className}`, keys, { a: 1 });
    expect(newClass.status).not.toBe(201);
  });

  it('lets the master key read', async () => {
    const find = await parseRest('GET', `classes/${className}?limit=1`, master);
    expect(find.status).toBe(200);
  });
});
