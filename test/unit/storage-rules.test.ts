/**
 * The pure rules under the storage layer: what the triggers accept at rest, when a refresh claim
 * is held, and which failures count as "database unavailable".
 */
import { encrypt, generateKey } from '../../cloud/crypto/fernet';
import { StorageUnavailableError } from '../../cloud/storage/base';
import { decodeStateData, encodeStateData } from '../../cloud/storage/codec';
import { guarded, isUnavailableError } from '../../cloud/storage/errors';
import { claimHeld, claimWinnable } from '../../cloud/storage/refresh-claim';
import {
  oauthStateRule,
  stillLive,
  userSessionRule,
  userTokenRule,
  type SavedObject,
} from '../../cloud/triggers';

const key = generateKey();
const obj = (
  fields: Record<string, unknown>,
  dirty: string[] = Object.keys(fields),
): SavedObject => ({
  get: (k) => fields[k],
  dirty: (k) => dirty.includes(k),
});
const hash = 'a'.repeat(64);
const later = new Date(Date.now() + 60_000);

describe('userTokenRule', () => {
  const valid = { user_id: 'usr1', tokens: encrypt('{}', key), expires_at: later };
  it('accepts a Fernet token under a configured key', () => {
    expect(userTokenRule(obj(valid), true, [generateKey(), key])).toBeUndefined();
  });
  it('refuses plaintext, a foreign key, a missing expiry', () => {
    expect(userTokenRule(obj({ ...valid, tokens: '{"accessToken":"x"}' }), true, [key])).toMatch(
      /Fernet/,
    );
    expect(
      userTokenRule(obj({ ...valid, tokens: encrypt('{}', generateKey()) }), true, [key]),
    ).toMatch(/Fernet/);
    expect(userTokenRule(obj({ ...valid, expires_at: undefined }), true, [key])).toMatch(
      /expires_at/,
    );
  });
  it('does not re-check fields an update leaves alone (claims stay cheap)', () => {
    const update = obj({ ...valid, tokens: 'legacy', refresh_claim: 2 }, ['refresh_claim']);
    expect(userTokenRule(update, false, [key])).toBeUndefined();
  });
});

describe('oauthStateRule and userSessionRule', () => {
  it('want hashes, not secrets, and an encrypted verifier', () => {
    const data = encodeStateData({ codeVerifier: 'v'.repeat(43), platform: 'x' }, key);
    expect(
      oauthStateRule(obj({ state: hash, data, expires_at: later }), true, [key]),
    ).toBeUndefined();
    expect(oauthStateRule(obj({ state: 'raw', data, expires_at: later }), true, [key])).toMatch(
      /hash/,
    );
    const plain = JSON.stringify({ codeVerifier: 'v'.repeat(43), platform: 'x' });
    expect(
      oauthStateRule(obj({ state: hash, data: plain, expires_at: later }), true, [key]),
    ).toMatch(/verifier/);
    expect(
      userSessionRule(obj({ session_id: hash, user_id: 'u', expires_at: later }), true, []),
    ).toBeUndefined();
    expect(
      userSessionRule(
        obj({ session_id: 'x'.repeat(43), user_id: 'u', expires_at: later }),
        true,
        [],
      ),
    ).toMatch(/hash/);
  });
  it('round-trips state data with extra fields, verifier encrypted', () => {
    const data = {
      codeVerifier: 'secret-verifier',
      platform: 'claude',
      pendingAuthorization: {
        clientId: 'c',
        redirectUri: 'r',
        codeChallenge: 'x',
        resource: 'm',
        scopes: ['a'],
      },
    };
    const stored = encodeStateData(data, key);
    expect(stored).not.toContain('secret-verifier');
    expect(decodeStateData(stored, [key])).toEqual(data);
    expect(decodeStateData(stored, [generateKey()])).toBeUndefined();
  });
});

describe('stillLive (conditional cleanup deletes)', () => {
  const cutoff = new Date();
  const ctx = { onlyIfExpiredBefore: cutoff.toISOString() };
  it('keeps a row renewed past the cutoff, lets an expired one go, ignores plain deletes', () => {
    expect(stillLive(obj({ expires_at: new Date(cutoff.getTime() + 1) }), ctx)).toBe(true);
    expect(stillLive(obj({ expires_at: new Date(cutoff.getTime() - 1) }), ctx)).toBe(false);
    expect(stillLive(obj({ expires_at: later }), {})).toBe(false);
  });
});

describe('refresh claims', () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const at = (ms: number) => new Date(now.getTime() + ms);
  it('a claim holds for the lease unless a newer credential was stored', () => {
    expect(
      claimHeld({ claim: 1, claimAt: at(-1000), tokensUpdatedAt: at(-5000) }, 30_000, now),
    ).toBe(true);
    expect(
      claimHeld({ claim: 1, claimAt: at(-31_000), tokensUpdatedAt: at(-50_000) }, 30_000, now),
    ).toBe(false);
    expect(
      claimHeld({ claim: 1, claimAt: at(-1000), tokensUpdatedAt: at(-500) }, 30_000, now),
    ).toBe(false);
    expect(
      claimHeld({ claim: 0, claimAt: undefined, tokensUpdatedAt: undefined }, 30_000, now),
    ).toBe(false);
  });
  it('only a caller that saw the current counter may try', () => {
    const free = { claim: 3, claimAt: undefined, tokensUpdatedAt: undefined };
    expect(claimWinnable(free, 3, 30_000, now)).toBe(true);
    expect(claimWinnable(free, 2, 30_000, now)).toBe(false);
  });
});

describe('isUnavailableError', () => {
  it.each([
    [
      'in-process find with the database down',
      Object.assign(new Error('An internal server error occurred'), { code: 1 }),
    ],
    [
      'in-process write with the database down',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ],
    [
      'parse SDK over HTTP, server down',
      Object.assign(new Error('fetch failed'), { code: undefined }),
    ],
    [
      'parse SDK CONNECTION_FAILED',
      Object.assign(new Error('XMLHttpRequest failed'), { code: 100 }),
    ],
    [
      'PostgreSQL shutting down',
      Object.assign(new Error('terminating connection'), { code: '57P01' }),
    ],
    [
      'MongoDB unreachable',
      Object.assign(new Error('server selection timed out'), { name: 'MongoServerSelectionError' }),
    ],
  ])('%s -> unavailable', (_label, err) => {
    expect(isUnavailableError(err)).toBe(true);
  });
  it.each([
    ['object not found', Object.assign(new Error('Object not found'), { code: 101 })],
    ['a trigger refusal', Object.assign(new Error('UserToken.tokens must be...'), { code: 142 })],
    ['a bug', new TypeError('x is undefined')],
  ])('%s -> not unavailable', (_label, err) => {
    expect(isUnavailableError(err)).toBe(false);
  });
  it('guarded() converts only outages', async () => {
    await expect(
      guarded(() => Promise.reject(Object.assign(new Error('x'), { code: 100 }))),
    ).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(guarded(() => Promise.reject(new TypeError('bug')))).rejects.toBeInstanceOf(
      TypeError,
    );
  });
});
