import { createHmac } from 'node:crypto';
import { constantTimeEqual, keyedHash, randomSecret } from '../../cloud/crypto/keyed-hash';

const secretKey = 'k'.repeat(40);

describe('keyedHash', () => {
  it('is HMAC-SHA256 keyed with the secret over purpose NUL value, in hex', () => {
    const expected = createHmac('sha256', secretKey).update('session\0abc').digest('hex');
    expect(keyedHash(secretKey, 'session', 'abc')).toBe(expected);
    expect(keyedHash(secretKey, 'session', 'abc')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('matches a value computed independently', () => {
    // Computed with Python's hmac module:
    // python3 -c "import hmac,hashlib; print(hmac.new(b'key', b'purpose\0value', hashlib.sha256).hexdigest())"
    expect(keyedHash('key', 'purpose', 'value')).toBe(
      '266c91ce667426218be05503f1c6f7cdc1874163821bdb281e7ba78310881192',
    );
  });

  it('is deterministic, and differs by key, purpose and value', () => {
    const base = keyedHash(secretKey, 'session', 'abc');
    expect(keyedHash(secretKey, 'session', 'abc')).toBe(base);
    expect(keyedHash('x'.repeat(40), 'session', 'abc')).not.toBe(base);
    expect(keyedHash(secretKey, 'oauth-code', 'abc')).not.toBe(base);
    expect(keyedHash(secretKey, 'session', 'abd')).not.toBe(base);
  });

  it('separates domains: moving text between purpose and value changes the hash', () => {
    expect(keyedHash(secretKey, 'ab', 'c')).not.toBe(keyedHash(secretKey, 'a', 'bc'));
  });

  it('hashes UTF-8 values and the empty value', () => {
    expect(keyedHash(secretKey, 'p', 'Grüße 🔑')).toBe(
      createHmac('sha256', secretKey).update(Buffer.from('p\0Grüße 🔑', 'utf8')).digest('hex'),
    );
    expect(keyedHash(secretKey, 'p', '')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses an empty key, an empty purpose and a purpose with NUL', () => {
    expect(() => keyedHash('', 'p', 'v')).toThrow(RangeError);
    expect(() => keyedHash(secretKey, '', 'v')).toThrow(RangeError);
    expect(() => keyedHash(secretKey, 'a\0b', 'v')).toThrow(RangeError);
  });
});

describe('randomSecret', () => {
  it('gives 32 random bytes as unpadded base64url by default', () => {
    const s = randomSecret();
    expect(s).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(s, 'base64url')).toHaveLength(32);
  });

  it('honours the byte count', () => {
    expect(Buffer.from(randomSecret(16), 'base64url')).toHaveLength(16);
    expect(Buffer.from(randomSecret(64), 'base64url')).toHaveLength(64);
  });

  it('never repeats', () => {
    const seen = new Set(Array.from({ length: 1000 }, () => randomSecret()));
    expect(seen.size).toBe(1000);
  });

  it('refuses fewer than 16 bytes and non-integers', () => {
    for (const bad of [0, 8, 15, 16.5, Number.NaN, 2000]) {
      expect(() => randomSecret(bad)).toThrow(RangeError);
    }
  });
});

describe('constantTimeEqual', () => {
  it('is true only for equal strings', () => {
    const h = keyedHash(secretKey, 'p', 'v');
    expect(constantTimeEqual(h, `${h}`)).toBe(true);
    expect(constantTimeEqual('', '')).toBe(true);
    expect(
      constantTimeEqual(
        h,
        h.replace(/.$/, (c) => (c === '0' ? '1' : '0')),
      ),
    ).toBe(false);
    expect(constantTimeEqual('Grüße', 'Grüße')).toBe(true);
    expect(constantTimeEqual('Grüße', 'Gruße')).toBe(false);
  });

  it('returns false for different lengths without throwing', () => {
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', 'a')).toBe(false);
    // Same UTF-16 length, different UTF-8 length.
    expect(constantTimeEqual('é', 'e')).toBe(false);
  });
});
