/** The OAuthServerStore contract, run against the memory store (unit) and Parse (integration). */
import { randomBytes } from 'node:crypto';
import type { OAuthServerStore } from '../../cloud/oauth-server/store/store';

const hash = () => randomBytes(32).toString('hex');
const id = () => randomBytes(16).toString('base64url');
const inMs = (ms: number) => new Date(Date.now() + ms);

export function oauthStoreContract(
  name: string,
  make: (now?: () => Date) => OAuthServerStore,
): void {
  describe(`${name}: OAuthServerStore contract`, () => {
    let store: OAuthServerStore;
    beforeAll(() => {
      store = make();
    });

    it('stores and reads clients; expired ones are absent; touch only moves forward', async () => {
      const clientId = id();
      const expiresAt = inMs(60_000);
      await store.createClient({
        clientId,
        metadata: {
          redirect_uris: ['https://a.example/cb'],
          token_endpoint_auth_method: 'client_secret_post',
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          client_name: 'A',
        },
        secretHash: 'f'.repeat(64),
        issuedAt: new Date(),
        expiresAt,
      });
      const got = await store.getClient(clientId);
      expect(got?.metadata.client_name).toBe('A');
      expect(got?.secretHash).toBe('f'.repeat(64));
      await store.touchClient(clientId, inMs(-1000)); // backwards: ignored
      expect((await store.getClient(clientId))?.expiresAt.getTime()).toBe(expiresAt.getTime());
      const later = inMs(3_600_000);
      await store.touchClient(clientId, later);
      expect((await store.getClient(clientId))?.expiresAt.getTime()).toBe(later.getTime());
      const future = make(() => inMs(7_200_000));
      expect(await future.getClient(clientId)).toBeNull();
      await store.deleteClient(clientId);
      expect(await store.getClient(clientId)).toBeNull();
    });

    it('consumes a consent exactly once, even concurrently', async () => {
      const h = hash();
      const record = {
        request: {
          clientId: 'c',
          redirectUri: 'https://a.example/cb',
          codeChallenge: 'x'.repeat(43),
          state: 's',
          resource: 'https://mcp.example/mcp',
          scopes: ['airtable:read'],
        },
        browserHash: 'b'.repeat(64),
      };
      await store.createConsent(h, record, inMs(60_000));
      const results = await Promise.all([1, 2, 3, 4].map(() => store.consumeConsent(h)));
      const winners = results.filter((r) => r !== null);
      expect(winners).toHaveLength(1);
      expect(winners[0]).toEqual(record);
      const expired = hash();
      await store.createConsent(expired, record, inMs(-1000));
      expect(await store.consumeConsent(expired)).toBeNull();
    });

    it('counts code claims atomically: exactly one first use', async () => {
      const h = hash();
      const data = {
        clientId: 'c',
        redirectUri: 'https://a.example/cb',
        codeChallenge: 'x'.repeat(43),
        resource: 'https://mcp.example/mcp',
        scopes: ['airtable:read'],
        userId: 'usr1',
        grantId: id(),
      };
      await store.createCode(h, data, inMs(60_000));
      const claims = await Promise.all([1, 2, 3, 4, 5].map(() => store.claimCode(h)));
      const uses = claims.map((c) => c?.uses).sort();
      expect(uses).toEqual([1, 2, 3, 4, 5]);
      expect(claims[0]?.data).toEqual(data);
      expect(await store.claimCode(hash())).toBeNull();
    });

    it('keeps grants, extends them forward, and revokes them with their refresh tokens', async () => {
      const grantId = id();
      const userId = `usr${id()}`;
      await store.createGrant({
        grantId,
        userId,
        clientId: 'c',
        scopes: ['airtable:read'],
        resource: 'https://mcp.example/mcp',
        revoked: false,
        createdAt: new Date(),
        expiresAt: inMs(60_000),
      });
      const later = inMs(3_600_000);
      await store.extendGrant(grantId, later);
      expect((await store.getGrant(grantId))?.expiresAt.getTime()).toBe(later.getTime());
      const r1 = hash();
      const r2 = hash();
      await store.createRefreshToken(r1, { grantId, clientId: 'c' }, inMs(60_000));
      await store.createRefreshToken(r2, { grantId, clientId: 'c' }, inMs(60_000));
      expect(await store.findRefreshToken(r1)).toEqual({ grantId, clientId: 'c' });
      const claims = await Promise.all([1, 2, 3].map(() => store.claimRefreshToken(r1)));
      expect(claims.map((c) => c?.uses).sort()).toEqual([1, 2, 3]);

      expect(await store.revokeUserGrants(userId)).toEqual([grantId]);
      expect((await store.getGrant(grantId))?.revoked).toBe(true);
      expect(await store.findRefreshToken(r2)).toBeNull();
      expect(await store.claimRefreshToken(r2)).toBeNull();
      expect(await store.revokeUserGrants(userId)).toEqual([]);
    });
  });
}
