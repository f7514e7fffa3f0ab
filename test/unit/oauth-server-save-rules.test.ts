/** beforeSave rules for the OAuth server's classes: hashes only in hashed columns, expiry required. */
import { OAUTH_SAVE_RULES } from '../../cloud/oauth-server/store/save-rules';

function obj(fields: Record<string, unknown>, dirty: string[] = Object.keys(fields)) {
  return { get: (k: string) => fields[k], dirty: (k: string) => dirty.includes(k) };
}
const hash = 'a'.repeat(64);
const exp = new Date(Date.now() + 60_000);
const rule = (c: string) => OAUTH_SAVE_RULES[c]!;

describe('OAUTH_SAVE_RULES', () => {
  it('covers every class', () => {
    expect(Object.keys(OAUTH_SAVE_RULES).sort()).toEqual([
      'OAuthClient',
      'OAuthCode',
      'OAuthConsent',
      'OAuthGrant',
      'OAuthRefreshToken',
    ]);
  });

  it.each([
    ['OAuthCode', 'code'],
    ['OAuthConsent', 'consent_id'],
    ['OAuthRefreshToken', 'token'],
  ])('%s.%s must be a keyed hash', (className, field) => {
    const extra = className === 'OAuthRefreshToken' ? { grant_id: 'g' } : {};
    expect(
      rule(className)(obj({ [field]: hash, expires_at: exp, ...extra }), true, []),
    ).toBeUndefined();
    expect(
      rule(className)(obj({ [field]: 'raw-secret', expires_at: exp, ...extra }), true, []),
    ).toMatch(/keyed hash/);
    expect(rule(className)(obj({ [field]: hash, ...extra }), true, [])).toMatch(/expires_at/);
  });

  it('lets a public client have no secret hash, but never a plaintext secret', () => {
    const r = rule('OAuthClient');
    expect(r(obj({ client_id: 'c', expires_at: exp }), true, [])).toBeUndefined();
    expect(
      r(obj({ client_id: 'c', secret_hash: hash, expires_at: exp }), true, []),
    ).toBeUndefined();
    expect(r(obj({ client_id: 'c', secret_hash: 'plain', expires_at: exp }), true, [])).toMatch(
      /keyed hash/,
    );
    expect(r(obj({ expires_at: exp }), true, [])).toMatch(/client_id is required/);
  });

  it('checks only what an update changes', () => {
    expect(rule('OAuthCode')(obj({ uses: 2 }, ['uses']), false, [])).toBeUndefined();
    expect(rule('OAuthGrant')(obj({ revoked: true }, ['revoked']), false, [])).toBeUndefined();
  });
});
