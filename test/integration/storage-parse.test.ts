/**
 * The storage contract against ParseStorage on the real test parse-server (embedded PostgreSQL):
 * `globalThis.Parse` is the parse/node SDK talking HTTP to it with the master key, standing in for
 * the global Parse that Cloud Code gets - every request also passes our triggers and CLPs.
 */
import Parse from 'parse/node';
import { generateKey } from '../../cloud/crypto/fernet';
import { StorageUnavailableError } from '../../cloud/storage/base';
import { encryptCredential } from '../../cloud/storage/codec';
import { ParseStorage } from '../../cloud/storage/parse-store';
import { harness, parseRest } from '../harness/env';
import { storageContract } from '../unit/storage-contract';

const h = harness();
const master = { 'X-Parse-Master-Key': h.masterKey };

async function rawRows(className: string, where: Record<string, unknown>) {
  const q = encodeURIComponent(JSON.stringify(where));
  const res = await parseRest('GET', `classes/${className}?where=${q}&limit=1000`, master);
  expect(res.status).toBe(200);
  return res.json.results as Record<string, unknown>[];
}

beforeAll(() => {
  Parse.initialize(h.appId, h.javascriptKey, h.masterKey);
  Parse.serverURL = `${h.baseUrl}/parse`;
  (globalThis as { Parse?: unknown }).Parse = Parse;
});

storageContract('ParseStorage', () => ({
  secretKey: h.secretKey,
  key: h.encryptionKey,
  store: (opts = {}) =>
    new ParseStorage({
      secretKey: h.secretKey,
      encryptionKeys: opts.keys ?? [h.encryptionKey],
      ...(opts.now ? { now: opts.now } : {}),
    }),
  rawTokenRows: (userId) => rawRows('UserToken', { user_id: userId }),
  insertLegacyToken: async (userId, credential, expiresAt) => {
    // What the earlier layout's upsert wrote: no per_connection column.
    const res = await parseRest('POST', 'classes/UserToken', master, {
      user_id: userId,
      tokens: encryptCredential(credential, h.encryptionKey),
      kind: credential.kind,
      scope: credential.scope,
      status: 'active',
      refresh_claim: 0,
      expires_at: { __type: 'Date', iso: expiresAt.toISOString() },
    });
    expect(res.status).toBe(201);
  },
  rawSessionRow: async (id) => (await rawRows('UserSession', { objectId: id }))[0],
  rawStateRows: (hash) => rawRows('OAuthState', { state: hash }),
}));

describe('ParseStorage when the database cannot be reached', () => {
  it('throws StorageUnavailableError, not a Parse error', async () => {
    const attempts = Parse.CoreManager.get('REQUEST_ATTEMPT_LIMIT');
    Parse.CoreManager.set('REQUEST_ATTEMPT_LIMIT', 1);
    Parse.serverURL = 'http://127.0.0.1:9/parse'; // discard port: connection refused
    try {
      const s = new ParseStorage({ secretKey: h.secretKey, encryptionKeys: [generateKey()] });
      await expect(s.findSession('x'.repeat(43))).rejects.toBeInstanceOf(StorageUnavailableError);
      await expect(s.getUserToken({ userId: 'usrX' })).rejects.toBeInstanceOf(
        StorageUnavailableError,
      );
    } finally {
      Parse.serverURL = `${h.baseUrl}/parse`;
      Parse.CoreManager.set('REQUEST_ATTEMPT_LIMIT', attempts);
    }
  });
});
