/**
 * Defence in depth: with the CLPs of our classes deliberately opened to everyone (a dashboard
 * mistake), the triggers alone still refuse client keys - reads of every class, writes of every
 * class, and deletes of UserToken. Runs on a private stack so the shared one stays locked.
 */
import { encrypt } from '../../cloud/crypto/fernet';
import { parseDate, rest, seedRows, type RestTarget } from '../../scripts/bench/bench-cleanup';
import { harness } from '../harness/env';
import { startChildStack, type ChildStack } from '../helpers/child-stack';
import { removeTempDir, tempDir } from '../helpers/temp-dir';

jest.setTimeout(120_000);

const h = harness();
const OPEN = { '*': true };
const openClp = {
  find: OPEN,
  get: OPEN,
  count: OPEN,
  create: OPEN,
  update: OPEN,
  delete: OPEN,
  addField: {},
  protectedFields: {},
};

let dataDir: string;
let stack: ChildStack;
let t: RestTarget;

async function asClient(method: string, route: string, body?: unknown) {
  const res = await fetch(`${t.url}/parse/${route}`, {
    method,
    headers: {
      'X-Parse-Application-Id': h.appId,
      'X-Parse-REST-API-Key': h.restApiKey,
      'Content-Type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as { error?: string } };
}

beforeAll(async () => {
  dataDir = tempDir('defence');
  stack = await startChildStack({ dataDir, env: { ENCRYPTION_KEY: h.encryptionKey } });
  t = { url: stack.url, appId: h.appId, masterKey: h.masterKey };
  for (const className of ['UserToken', 'OAuthState', 'UserSession'])
    await rest(t, 'PUT', `schemas/${className}`, { classLevelPermissions: openClp });
});

afterAll(async () => {
  await stack?.stop();
  removeTempDir(dataDir);
});

it.each(['UserToken', 'OAuthState', 'UserSession'])(
  '%s: with open CLPs a client key still cannot read or write',
  async (className) => {
    const find = await asClient('GET', `classes/${className}`);
    expect(find.status).toBeGreaterThanOrEqual(400);
    expect(find.json.error).toMatch(/master-key only/);
    const create = await asClient('POST', `classes/${className}`, {
      expires_at: parseDate(new Date(Date.now() + 60_000)),
    });
    expect(create.status).toBeGreaterThanOrEqual(400);
    expect(create.json.error).toMatch(/master-key only/);
  },
);

it('UserToken: with open CLPs a client key still cannot delete or update a token', async () => {
  const [id] = await seedRows(t, 'UserToken', 1, () => ({
    user_id: 'usrDefence1',
    tokens: encrypt(
      JSON.stringify({ kind: 'pat', accessToken: 'p.x', scope: '' }),
      h.encryptionKey,
    ),
    kind: 'pat',
    scope: '',
    status: 'active',
    expires_at: parseDate(new Date(Date.now() + 60_000)),
  }));
  const del = await asClient('DELETE', `classes/UserToken/${id}`);
  expect(del.status).toBeGreaterThanOrEqual(400);
  const update = await asClient('PUT', `classes/UserToken/${id}`, { status: 'dead' });
  expect(update.status).toBeGreaterThanOrEqual(400);
  const { json } = await rest(t, 'GET', `classes/UserToken/${id}`);
  expect((json as { status: string }).status).toBe('active');
});
