/** POST /revoke (RFC 7009): refresh tokens take their grant with them; always 200. */
import {
  exchangeCode,
  obtainCode,
  postForm,
  registerClient,
  startFixture,
  type Fixture,
} from './oauth-server-fixture';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.close());

async function tokens() {
  const { clientId, code, verifier } = await obtainCode(f);
  const { json } = await exchangeCode(f, { code, code_verifier: verifier, client_id: clientId });
  return {
    clientId,
    access: String(json.access_token),
    refresh: String(json.refresh_token),
  };
}

const revoke = (fields: Record<string, string>) => postForm(`${f.url}/revoke`, fields);

describe('RFC 7009 section 2.1', () => {
  it('revoking a refresh token revokes its grant: access tokens too', async () => {
    const t = await tokens();
    const res = await revoke({ token: t.refresh, client_id: t.clientId });
    expect(res.status).toBe(200);
    expect(res.res.headers.get('cache-control')).toBe('no-store');
    expect(await f.storage.findSession(t.access)).toBeNull();
    const refresh = await postForm(`${f.url}/token`, {
      grant_type: 'refresh_token',
      refresh_token: t.refresh,
      client_id: t.clientId,
    });
    expect(refresh.json.error).toBe('invalid_grant');
  });

  it('revoking an access token revokes that token only', async () => {
    const t = await tokens();
    const res = await revoke({
      token: t.access,
      token_type_hint: 'access_token',
      client_id: t.clientId,
    });
    expect(res.status).toBe(200);
    expect(await f.storage.findSession(t.access)).toBeNull();
    const refresh = await postForm(`${f.url}/token`, {
      grant_type: 'refresh_token',
      refresh_token: t.refresh,
      client_id: t.clientId,
    });
    expect(refresh.status).toBe(200);
  });

  it('a wrong hint is only a hint', async () => {
    const t = await tokens();
    await revoke({ token: t.access, token_type_hint: 'refresh_token', client_id: t.clientId });
    expect(await f.storage.findSession(t.access)).toBeNull();
  });

  it('answers 200 for unknown tokens (section 2.2)', async () => {
    const { clientId } = await registerClient(f);
    expect((await revoke({ token: 'A'.repeat(43), client_id: clientId })).status).toBe(200);
    expect((await revoke({ token: 'not a token of ours', client_id: clientId })).status).toBe(200);
  });

  it("leaves another client's tokens alone, still answering 200", async () => {
    const t = await tokens();
    const { clientId: other } = await registerClient(f);
    expect((await revoke({ token: t.refresh, client_id: other })).status).toBe(200);
    expect((await revoke({ token: t.access, client_id: other })).status).toBe(200);
    expect(await f.storage.findSession(t.access)).not.toBeNull();
  });

  it('never revokes a seed session through this endpoint', async () => {
    const { clientId } = await registerClient(f);
    const { secret } = await f.storage.createSession(
      'usrSeed',
      { platform: 'other', kind: 'session' },
      60_000,
    );
    await revoke({ token: secret, client_id: clientId });
    expect(await f.storage.findSession(secret)).not.toBeNull();
  });

  it('needs the token (invalid_request) and a known client (invalid_client)', async () => {
    const { clientId } = await registerClient(f);
    expect((await revoke({ client_id: clientId })).json.error).toBe('invalid_request');
    const unknown = await revoke({ token: 'A'.repeat(43), client_id: 'Z'.repeat(32) });
    expect(unknown.status).toBe(401);
    expect(unknown.json.error).toBe('invalid_client');
  });
});
