/**
 * Fernet (github.com/fernet/spec) as Python's `cryptography.fernet` implements it. The last block
 * checks interoperability against Python itself, at test time (Debian's python3-cryptography).
 */
import { spawnSync } from 'node:child_process';
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { isFernetKey } from '../../cloud/config';
import {
  FernetError,
  decrypt,
  decryptWithKeyIndex,
  encrypt,
  generateKey,
} from '../../cloud/crypto/fernet';

const INVALID = 'Invalid Fernet token';
const b64 = (bytes: Buffer): string =>
  bytes.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
const unb64 = (token: string): Buffer => Buffer.from(token, 'base64url');
const at = (unixSeconds: number): Date => new Date(unixSeconds * 1000);

/** The error `fn` throws (fails the test when it throws nothing). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

function expectInvalid(token: string, keys: string | string[], options = {}): void {
  const err = thrown(() => decrypt(token, keys, options));
  expect(err).toBeInstanceOf(FernetError);
  expect(err.message).toBe(INVALID);
}

/**
 * Builds a correctly signed token from raw parts, to reach the checks behind the HMAC (padding,
 * block length, version) that tampering alone cannot reach.
 */
function signedToken(
  key: string,
  parts: { version?: number; time?: bigint; iv?: Buffer; ciphertext: Buffer },
): string {
  const raw = unb64(key);
  const header = Buffer.alloc(25);
  header[0] = parts.version ?? 0x80;
  header.writeBigUInt64BE(parts.time ?? 1_700_000_000n, 1);
  (parts.iv ?? Buffer.alloc(16)).copy(header, 9);
  const signed = Buffer.concat([header, parts.ciphertext]);
  const mac = createHmac('sha256', raw.subarray(0, 16)).update(signed).digest();
  return b64(Buffer.concat([signed, mac]));
}

/** AES-128-CBC with our own padding decisions (none by default). */
function rawCbc(key: string, plaintext: Buffer, iv = Buffer.alloc(16)): Buffer {
  const cipher = createCipheriv('aes-128-cbc', unb64(key).subarray(16), iv).setAutoPadding(false);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]);
}

const key = generateKey();
const otherKey = generateKey();

describe('known answer', () => {
  // Our own vector (key 00..1f, IV a0..af), confirmed once against Python's _encrypt_from_parts.
  const fixedKey = b64(Buffer.from(Array.from({ length: 32 }, (_, i) => i)));
  const iv = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
  const token =
    'gAAAAABlk30loKGio6SlpqeoqaqrrK2ur1rq6_qVrAmZ00Kw3tkQrcurV0Y6xORpQ1EBeKRGTJd5YxQ_f86Jr0fH4Tc_' +
    'GzL19B4UX1k_6aZwW3Y9cz6tuKY=';

  it('encrypts byte for byte', () => {
    expect(
      encrypt('Airtable ✓ token', fixedKey, { now: new Date('2024-01-02T03:04:05Z'), iv }),
    ).toBe(token);
  });

  it('decrypts', () => {
    expect(decrypt(token, fixedKey)).toBe('Airtable ✓ token');
  });
});

describe('encrypt / decrypt', () => {
  it.each([
    ['empty', ''],
    ['ascii', 'hello'],
    ['one block less one', 'x'.repeat(15)],
    ['exactly one block', 'x'.repeat(16)],
    ['one block plus one', 'x'.repeat(17)],
    ['utf-8', 'Grüße, 東京, emoji 🔑, RTL עברית'],
    ['long', 'patABC.'.repeat(2000)],
    ['NUL and newlines', 'a\0b\r\nc'],
  ])('round-trips %s', (_name, text) => {
    expect(decrypt(encrypt(text, key), key)).toBe(text);
  });

  it('emits padded URL-safe base64 with the 0x80 version, a timestamp and a fresh IV', () => {
    const now = new Date('2030-05-06T07:08:09.999Z');
    const a = encrypt('same', key, { now });
    const b = encrypt('same', key, { now });
    expect(a).not.toBe(b);
    for (const token of [a, b]) {
      expect(token).toMatch(/^[A-Za-z0-9_-]+={0,2}$/);
      expect(token.length % 4).toBe(0);
      const raw = unb64(token);
      expect(raw[0]).toBe(0x80);
      expect(raw.readBigUInt64BE(1)).toBe(BigInt(Math.floor(now.getTime() / 1000)));
      expect(raw.length).toBe(25 + 16 + 32);
    }
  });

  it('accepts tokens without their padding', () => {
    const token = encrypt('no padding please', key);
    expect(token.endsWith('=')).toBe(true);
    expect(decrypt(token.replace(/=+$/, ''), key)).toBe('no padding please');
  });

  it('accepts keys with or without padding', () => {
    const unpadded = key.replace(/=+$/, '');
    expect(decrypt(encrypt('k', unpadded), key)).toBe('k');
  });

  it('rejects a wrong key with the generic message', () => {
    expectInvalid(encrypt('secret', key), otherKey);
  });

  it('rejects text with a lone surrogate instead of silently altering it', () => {
    expect(() => encrypt('bad \uD800 text', key)).toThrow(TypeError);
  });

  it('says a decrypted value that is not UTF-8 text is not text', () => {
    const token = signedToken(key, {
      ciphertext: rawCbc(key, Buffer.from([0xff, ...Array(15).fill(15)])),
    });
    expect(() => decrypt(token, key)).toThrow(/not valid UTF-8/);
  });
});

describe('several keys (rotation)', () => {
  const third = generateKey();

  it('tries each key in order and reports which one worked', () => {
    const token = encrypt('rotating', otherKey);
    expect(decryptWithKeyIndex(token, [key, otherKey, third])).toEqual({
      plaintext: 'rotating',
      keyIndex: 1,
    });
    expect(decryptWithKeyIndex(encrypt('new', key), [key, otherKey])).toEqual({
      plaintext: 'new',
      keyIndex: 0,
    });
    expect(decrypt(token, [third, otherKey])).toBe('rotating');
  });

  it('accepts a single key as a string or a one-element list', () => {
    expect(decryptWithKeyIndex(encrypt('x', key), key).keyIndex).toBe(0);
    expect(decryptWithKeyIndex(encrypt('x', key), [key]).keyIndex).toBe(0);
  });

  it('rejects a token none of the keys made', () => {
    expectInvalid(encrypt('x', third), [key, otherKey]);
  });

  it('rejects an empty key list', () => {
    expect(() => decrypt(encrypt('x', key), [])).toThrow(FernetError);
  });
});

describe('tampering and malformed tokens', () => {
  const token = encrypt('tamper with me', key);
  const raw = unb64(token);

  it('rejects every single-bit change in every byte', () => {
    let rejected = 0;
    for (let i = 0; i < raw.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const copy = Buffer.from(raw);
        copy[i] = (copy[i] ?? 0) ^ (1 << bit);
        expectInvalid(b64(copy), key);
        rejected++;
      }
    }
    expect(rejected).toBe(raw.length * 8);
  });

  it('rejects every changed character of the text form (including unused low bits)', () => {
    const body = token.replace(/=+$/, '');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 0; i < body.length; i++) {
      const original = body[i] ?? '';
      const next = alphabet[(alphabet.indexOf(original) + 1) % 64] ?? 'A';
      expectInvalid(body.slice(0, i) + next + body.slice(i + 1), key);
    }
  });

  it('rejects every truncation and extension', () => {
    for (let n = 0; n < raw.length; n++) expectInvalid(b64(raw.subarray(0, n)), key);
    expectInvalid(b64(Buffer.concat([raw, Buffer.alloc(1)])), key);
    expectInvalid(b64(Buffer.concat([raw, Buffer.alloc(16)])), key);
    // Dropping only the '=' padding is allowed; dropping any character of the body is not.
    const body = token.replace(/=+$/, '');
    for (let n = 1; n < body.length; n++) expectInvalid(body.slice(0, n), key);
  });

  it.each([
    ['empty', ''],
    ['whitespace', '   '],
    ['not base64', '%%%%%%%%%%%%%%%%'],
    ['garbage', 'hello world'],
    ['only a version byte', 'gA=='],
    ['a JSON value', '{"token":"x"}'],
    ['too much padding', `${encrypt('x', key).replace(/=+$/, '')}===`],
    ['a surrounding space', ` ${encrypt('x', key)} `],
    ['a line break inside', `${encrypt('x', key).slice(0, 20)}\n${encrypt('x', key).slice(20)}`],
  ])('rejects %s', (_name, bad) => {
    expectInvalid(bad, key);
  });

  it('rejects the standard (+/) base64 alphabet', () => {
    let token2 = encrypt('x', key);
    while (!/[-_]/.test(token2)) token2 = encrypt('x', key);
    expectInvalid(token2.replace(/-/g, '+').replace(/_/g, '/'), key);
  });

  it('rejects values that are not strings', () => {
    for (const bad of [undefined, null, 42, {}, Buffer.from(token)]) {
      expectInvalid(bad as unknown as string, key);
    }
  });

  it('rejects correctly signed tokens that are malformed inside', () => {
    const block = Buffer.alloc(16, 1);
    // Bad PKCS7 padding: last byte 0, then last byte 17 (more than a block).
    expectInvalid(signedToken(key, { ciphertext: rawCbc(key, Buffer.alloc(16)) }), key);
    expectInvalid(signedToken(key, { ciphertext: rawCbc(key, Buffer.alloc(16, 17)) }), key);
    // Inconsistent padding bytes (…, 1, 2).
    expectInvalid(
      signedToken(key, { ciphertext: rawCbc(key, Buffer.from([...Array(14).fill(0), 1, 2])) }),
      key,
    );
    // Ciphertext not a whole number of blocks, or empty.
    expectInvalid(signedToken(key, { ciphertext: block.subarray(0, 15) }), key);
    expectInvalid(signedToken(key, { ciphertext: Buffer.alloc(0) }), key);
    // Unknown version.
    const good = rawCbc(key, Buffer.alloc(16, 16));
    expect(decrypt(signedToken(key, { ciphertext: good }), key)).toBe('');
    expectInvalid(signedToken(key, { version: 0x81, ciphertext: good }), key);
  });

  it('never puts the token or key in the message', () => {
    const err = thrown(() => decrypt(token.slice(0, -8), [key, otherKey]));
    expect(err.message).toBe(INVALID);
    expect(err.message).not.toContain(token.slice(0, 10));
    expect(err.message).not.toContain(key.slice(0, 10));
  });
});

describe('time to live and clock skew (the checks Python makes when a ttl is given)', () => {
  const made = 1_800_000_000;
  const token = encrypt('timed', key, { now: at(made) });

  it('accepts a token up to exactly ttl seconds old, rejects it one second later', () => {
    expect(decrypt(token, key, { ttlSeconds: 60, now: at(made + 60) })).toBe('timed');
    expect(decrypt(token, key, { ttlSeconds: 60, now: at(made + 60.999) })).toBe('timed');
    expectInvalid(token, key, { ttlSeconds: 60, now: at(made + 61) });
    expectInvalid(token, key, { ttlSeconds: 0, now: at(made + 1) });
  });

  it('accepts at most 60 seconds of clock skew into the future', () => {
    expect(decrypt(token, key, { ttlSeconds: 10, now: at(made - 60) })).toBe('timed');
    expectInvalid(token, key, { ttlSeconds: 10, now: at(made - 61) });
    expectInvalid(token, key, { ttlSeconds: 3600, now: at(made - 3600) });
  });

  it('ignores time entirely without a ttl, like Python', () => {
    expect(decrypt(token, key, { now: at(made + 10 * 365 * 86400) })).toBe('timed');
    expect(decrypt(token, key, { now: at(0) })).toBe('timed');
  });

  it('handles the largest 64-bit timestamp', () => {
    const far = signedToken(key, {
      time: 2n ** 64n - 1n,
      ciphertext: rawCbc(key, Buffer.alloc(16, 16)),
    });
    expect(decrypt(far, key)).toBe('');
    expectInvalid(far, key, { ttlSeconds: Number.MAX_SAFE_INTEGER });
  });

  it('rejects a nonsensical ttl or date as a programming error', () => {
    expect(() => decrypt(token, key, { ttlSeconds: -1 })).toThrow(RangeError);
    expect(() => decrypt(token, key, { ttlSeconds: 1.5 })).toThrow(RangeError);
    expect(() => decrypt(token, key, { now: new Date(NaN) })).toThrow(RangeError);
    expect(() => encrypt('x', key, { now: new Date(-1000) })).toThrow(RangeError);
    expect(() => encrypt('x', key, { iv: new Uint8Array(15) })).toThrow(RangeError);
  });
});

describe('keys', () => {
  it('generates padded 32-byte URL-safe keys that config accepts', () => {
    const keys = new Set(Array.from({ length: 20 }, () => generateKey()));
    expect(keys.size).toBe(20);
    for (const k of keys) {
      expect(k).toMatch(/^[A-Za-z0-9_-]{43}=$/);
      expect(unb64(k)).toHaveLength(32);
      expect(isFernetKey(k)).toBe(true);
    }
  });

  it.each([
    ['empty', ''],
    ['too short', b64(randomBytes(16))],
    ['too long', b64(randomBytes(33))],
    ['standard base64 alphabet', `${'+/'.repeat(21)}A=`],
    ['not base64', `${'!'.repeat(43)}=`],
  ])('rejects a %s key without echoing it', (_name, bad) => {
    const err = thrown(() => encrypt('x', bad));
    expect(err).toBeInstanceOf(FernetError);
    expect(err.message).toMatch(/not a valid Fernet key/);
    if (bad.length > 0) expect(err.message).not.toContain(bad);
  });

  it('names which key of a list is bad, without echoing it', () => {
    const err = thrown(() => decrypt(encrypt('x', key), [key, 'secret-but-broken']));
    expect(err).toBeInstanceOf(FernetError);
    expect(err.message).toMatch(/Key #2 is not a valid Fernet key/);
    expect(err.message).not.toContain('secret-but-broken');
  });
});

// ---------------------------------------------------------------------------------------------
// Interoperability with Python's cryptography.fernet, the implementation our stored data must
// stay compatible with. FERNET_TEST_PYTHON overrides the interpreter (to try the skip path).

const PYTHON = process.env.FERNET_TEST_PYTHON ?? '/usr/bin/python3';
const IN_CI = !['', '0', 'false'].includes((process.env.CI ?? '').toLowerCase());

/** Runs a batch of requests through Python; the script comes on stdin, the data as JSON on argv. */
const PY_SCRIPT = String.raw`
import base64, json, sys
from cryptography.fernet import Fernet, InvalidToken
out = []
for r in json.loads(sys.argv[1]):
    f = Fernet(r["key"])
    op = r["op"]
    if op == "generate_key":
        out.append(Fernet.generate_key().decode())
    elif op == "encrypt":
        out.append(f.encrypt(r["data"].encode("utf-8")).decode())
    elif op == "encrypt_at_time":
        out.append(f.encrypt_at_time(r["data"].encode("utf-8"), r["time"]).decode())
    elif op == "from_parts":
        iv = bytes.fromhex(r["iv"])
        out.append(f._encrypt_from_parts(r["data"].encode("utf-8"), r["time"], iv).decode())
    elif op == "decrypt":
        try:
            if r.get("ttl") is None:
                data = f.decrypt(r["token"])
            else:
                data = f.decrypt_at_time(r["token"], r["ttl"], r["now"])
            out.append({"ok": True, "data": data.decode("utf-8")})
        except InvalidToken:
            out.append({"ok": False})
print(json.dumps(out))
`;

type PyRequest =
  | { op: 'generate_key'; key: string }
  | { op: 'encrypt'; key: string; data: string }
  | { op: 'encrypt_at_time'; key: string; data: string; time: number }
  | { op: 'from_parts'; key: string; data: string; time: number; iv: string }
  | { op: 'decrypt'; key: string; token: string; ttl?: number; now?: number };

function python<T>(requests: PyRequest[]): T[] {
  const run = spawnSync(PYTHON, ['-', JSON.stringify(requests)], {
    input: PY_SCRIPT,
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (run.status !== 0) throw new Error(`python failed: ${run.error?.message ?? run.stderr}`);
  return JSON.parse(run.stdout) as T[];
}

function pythonAvailability(): { ok: true } | { ok: false; reason: string } {
  const probe = spawnSync(PYTHON, ['-c', 'import cryptography.fernet'], { encoding: 'utf8' });
  if (probe.status === 0) return { ok: true };
  return { ok: false, reason: probe.error?.message ?? probe.stderr.trim().split('\n').pop() ?? '' };
}

const availability = pythonAvailability();
const INSTALL_HINT =
  `${PYTHON} with the cryptography module is not available (${availability.ok ? '' : availability.reason}); ` +
  'install it with: apt-get install python3-cryptography';

describe('interoperability with Python cryptography.fernet', () => {
  if (!availability.ok) {
    if (IN_CI) {
      it('needs python3-cryptography on CI', () => {
        throw new Error(INSTALL_HINT);
      });
      return;
    }
    console.warn(`SKIPPING the Fernet interop tests with Python: ${INSTALL_HINT}`);
  }
  const pyIt = availability.ok ? it : it.skip;

  const samples = ['', 'hello', 'x'.repeat(16), 'Grüße 東京 🔑', 'patABC.'.repeat(300)];

  pyIt('makes byte-identical tokens from the same parts (_encrypt_from_parts)', () => {
    const cases = [0, 1, 1_700_000_000, 2 ** 32 + 5, 253_402_300_799].flatMap((time) =>
      samples.map((data) => ({ key: generateKey(), data, time, iv: randomBytes(16) })),
    );
    const expected = python<string>(
      cases.map(({ key: k, data, time, iv }) => ({
        op: 'from_parts',
        key: k,
        data,
        time,
        iv: iv.toString('hex'),
      })),
    );
    cases.forEach(({ key: k, data, time, iv }, i) => {
      expect(encrypt(data, k, { now: at(time), iv })).toBe(expected[i]);
    });
  });

  pyIt('decrypts what Python encrypts', () => {
    const keys = samples.map(() => generateKey());
    const tokens = python<string>(
      samples.map((data, i) => ({ op: 'encrypt', key: keys[i] ?? '', data })),
    );
    samples.forEach((data, i) => {
      expect(decrypt(tokens[i] ?? '', keys[i] ?? '')).toBe(data);
      expect(decrypt(tokens[i] ?? '', [otherKey, keys[i] ?? ''])).toBe(data);
    });
  });

  pyIt('encrypts what Python decrypts', () => {
    const tokens = samples.map((data) => encrypt(data, key));
    const results = python<{ ok: boolean; data?: string }>(
      tokens.map((token) => ({ op: 'decrypt', key, token })),
    );
    expect(results).toEqual(samples.map((data) => ({ ok: true, data })));
  });

  pyIt('uses keys Python generates, and Python uses ours', () => {
    const [pyKey] = python<string>([{ op: 'generate_key', key }]);
    const ours = generateKey();
    const [fromPython] = python<string>([{ op: 'encrypt', key: ours, data: 'ours' }]);
    expect(decrypt(fromPython ?? '', ours)).toBe('ours');
    expect(decrypt(encrypt('theirs', pyKey ?? ''), pyKey ?? '')).toBe('theirs');
  });

  pyIt('agrees with Python on ttl expiry and clock skew', () => {
    const made = 1_750_000_000;
    const [token = ''] = python<string>([{ op: 'encrypt_at_time', key, data: 't', time: made }]);
    const checks = [
      { ttl: 60, now: made + 59 },
      { ttl: 60, now: made + 60 },
      { ttl: 60, now: made + 61 },
      { ttl: 0, now: made },
      { ttl: 0, now: made + 1 },
      { ttl: 5, now: made - 59 },
      { ttl: 5, now: made - 60 },
      { ttl: 5, now: made - 61 },
    ];
    const verdicts = python<{ ok: boolean }>(
      checks.map((c) => ({ op: 'decrypt', key, token, ...c })),
    );
    checks.forEach((c, i) => {
      let ours = true;
      try {
        decrypt(token, key, { ttlSeconds: c.ttl, now: at(c.now) });
      } catch {
        ours = false;
      }
      expect({ ...c, ok: ours }).toEqual({ ...c, ok: verdicts[i]?.ok });
    });
  });

  pyIt('rejects what Python rejects: tampered tokens and a wrong key', () => {
    const token = encrypt('tamper', key);
    const raw = unb64(token);
    const tampered = [0, 1, 9, 30, raw.length - 1].map((i) => {
      const copy = Buffer.from(raw);
      copy[i] = (copy[i] ?? 0) ^ 0x04;
      return b64(copy);
    });
    const verdicts = python<{ ok: boolean }>([
      ...tampered.map((t) => ({ op: 'decrypt' as const, key, token: t })),
      { op: 'decrypt', key: otherKey, token },
    ]);
    expect(verdicts.every((v) => !v.ok)).toBe(true);
    for (const t of tampered) expectInvalid(t, key);
    expectInvalid(token, otherKey);
  });
});
