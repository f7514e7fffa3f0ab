/**
 * ParseOAuthServerStore on the real test parse-server (embedded PostgreSQL): the classes exist
 * (created locked by the bundle's load-time schema check), single use holds under concurrency, and
 * rows carry only what the store was given (hashes). `globalThis.Parse` is the parse/node SDK
 * talking HTTP with the master key, standing in for Cloud Code's global Parse.
 */
import Parse from 'parse/node';
import { ParseOAuthServerStore } from '../../cloud/oauth-server/store/parse-store';
import { harness, parseRest } from '../harness/env';
import { oauthStoreContract } from '../unit/oauth-server-store-contract';

const h = harness();

beforeAll(() => {
  Parse.initialize(h.appId, h.javascriptKey, h.masterKey);
  Parse.serverURL = `${h.baseUrl}/parse`;
  (globalThis as { Parse?: unknown }).Parse = Parse;
});

oauthStoreContract('ParseOAuthServerStore', (now) => new ParseOAuthServerStore(now ? { now } : {}));

describe('ParseOAuthServerStore rows', () => {
  it('hold the hash they were given, never more', async () => {
    const store = new ParseOAuthServerStore();
    const codeHash = 'a'.repeat(64);
    await store.createCode(
      codeHash,
      {
        clientId: 'c',
        redirectUri: 'https://a.example/cb',
        codeChallenge: 'x'.repeat(43),
        resource: 'https://mcp.example/mcp',
        scopes: [],
        userId: 'usr1',
        grantId: 'g',
      },
      new Date(Date.now() + 60_000),
    );
    const where = encodeURIComponent(JSON.stringify({ code: codeHash }));
    const res = await parseRest('GET', `classes/OAuthCode?where=${where}`, {
      'X-Parse-Master-Key': h.masterKey,
    });
    const rows = res.json.results as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ code: codeHash, uses: 0 });
  });
});
