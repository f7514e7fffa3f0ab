/**
 * The beforeSave/beforeFind/beforeDelete triggers of cloud/triggers.ts on the real stack: even
 * the master key cannot store a plaintext Airtable credential, an unencrypted PKCE verifier or a
 * raw session secret; client keys cannot read or write at all.
 */
import { randomBytes } from 'node:crypto';
import { encrypt, generateKey } from '../../cloud/crypto/fernet';
import { parseDate } from '../../scripts/bench/bench-cleanup';
import { harness, parseRest } from '../harness/env';

const h = harness();
const master = { 'X-Parse-Master-Key': h.masterKey };
const ahead = () => parseDate(new Date(Date.now() + 3600_000));
const credential = JSON.stringify({ kind: 'pat', accessToken: 'patSecret.value', scope: '' });
const userId = () => `usrTrig${randomBytes(6).toString('hex')}`;

const validToken = () => ({
  user_id: userId(),
  tokens: encrypt(credential, h.encryptionKey),
  kind: 'pat',
  scope: '',
  status: 'active',
  expires_at: ahead(),
});
const validState = () => ({
  state: randomBytes(32).toString('hex'),
  data: JSON.stringify({
    encryptedCodeVerifier: encrypt('v'.repeat(43), h.encryptionKey),
    platform: 'x',
  }),
  expires_at: ahead(),
});
const validSession = () => ({
  session_id: randomBytes(32).toString('hex'),
  user_id: userId(),
  data: JSON.stringify({ platform: 'x', kind: 'session' }),
  expires_at: ahead(),
});

async function refused(
  res: Promise<{ status: number; json: Record<string, unknown> }>,
  pattern: RegExp,
) {
  const { status, json } = await res;
  expect(status).toBeGreaterThanOrEqual(400);
  expect(String(json.error)).toMatch(pattern);
  expect(JSON.stringify(json)).not.toContain('patSecret'); // never echoes the value
}

describe('UserToken with the master key', () => {
  it('refuses a plaintext credential on create', async () => {
    await refused(
      parseRest('POST', 'classes/UserToken', master, { ...validToken(), tokens: credential }),
      /Fernet/,
    );
  });

  it('refuses a credential encrypted with a key that is not configured', async () => {
    const tokens = encrypt(credential, generateKey());
    await refused(
      parseRest('POST', 'classes/UserToken', master, { ...validToken(), tokens }),
      /Fernet/,
    );
  });

  it('requires expires_at and user_id on create', async () => {
    const { expires_at: _e, ...noExpiry } = validToken();
    await refused(parseRest('POST', 'classes/UserToken', master, noExpiry), /expires_at/);
    const { user_id: _u, ...noUser } = validToken();
    await refused(parseRest('POST', 'classes/UserToken', master, noUser), /user_id/);
  });

  it('refuses plaintext on update, accepts claims and Fernet tokens', async () => {
    const created = await parseRest('POST', 'classes/UserToken', master, validToken());
    expect(created.status).toBe(201);
    const path = `classes/UserToken/${String(created.json.objectId)}`;
    await refused(parseRest('PUT', path, master, { tokens: credential }), /Fernet/);
    await refused(parseRest('PUT', path, master, { tokens: { __op: 'Delete' } }), /Fernet/);
    await refused(parseRest('PUT', path, master, { expires_at: { __op: 'Delete' } }), /expires_at/);
    // The atomic claim increment passes the trigger and its answer carries the new value.
    const claim = await parseRest('PUT', path, master, {
      refresh_claim: { __op: 'Increment', amount: 1 },
      refresh_claim_at: parseDate(new Date()),
    });
    expect(claim.status).toBe(200);
    expect(claim.json.refresh_claim).toBe(1);
    const rotated = await parseRest('PUT', path, master, {
      tokens: encrypt(credential, h.encryptionKey),
    });
    expect(rotated.status).toBe(200);
  });

  it('a cleanup delete (context onlyIfExpiredBefore) spares a token renewed since', async () => {
    const created = await parseRest('POST', 'classes/UserToken', master, validToken());
    const path = `classes/UserToken/${String(created.json.objectId)}`;
    const context = JSON.stringify({ onlyIfExpiredBefore: new Date().toISOString() });
    await refused(
      parseRest('DELETE', path, { ...master, 'X-Parse-Cloud-Context': context }),
      /no longer expired/,
    );
    expect((await parseRest('DELETE', path, master)).status).toBe(200); // a logout still deletes
  });
});

describe('OAuthState with the master key', () => {
  it('refuses a verifier that is not encrypted, or a state that is not a hash', async () => {
    const plain = JSON.stringify({ codeVerifier: 'v'.repeat(43), platform: 'x' });
    await refused(
      parseRest('POST', 'classes/OAuthState', master, { ...validState(), data: plain }),
      /verifier/,
    );
    await refused(
      parseRest('POST', 'classes/OAuthState', master, { ...validState(), data: 'not json' }),
      /verifier/,
    );
    await refused(
      parseRest('POST', 'classes/OAuthState', master, {
        ...validState(),
        state: 'raw-state-value-1234567890',
      }),
      /hash/,
    );
    expect((await parseRest('POST', 'classes/OAuthState', master, validState())).status).toBe(201);
  });
});

describe('UserSession with the master key', () => {
  it('refuses a raw session secret where its hash belongs', async () => {
    const raw = randomBytes(32).toString('base64url');
    await refused(
      parseRest('POST', 'classes/UserSession', master, { ...validSession(), session_id: raw }),
      /hash/,
    );
    expect((await parseRest('POST', 'classes/UserSession', master, validSession())).status).toBe(
      201,
    );
  });
});

describe.each(['UserToken', 'OAuthState', 'UserSession'])('%s without the master key', (cls) => {
  it.each([
    ['REST API key', { 'X-Parse-REST-API-Key': h.restApiKey }],
    ['JavaScript key', { 'X-Parse-Javascript-Key': h.javascriptKey }],
  ])('refuses reads and writes with the %s', async (_label, keys) => {
    const body = { UserToken: validToken(), OAuthState: validState(), UserSession: validSession() }[
      cls
    ];
    expect((await parseRest('POST', `classes/${cls}`, keys, body)).status).toBeGreaterThanOrEqual(
      400,
    );
    expect((await parseRest('GET', `classes/${cls}`, keys)).status).toBeGreaterThanOrEqual(400);
  });
});
