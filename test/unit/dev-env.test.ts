/**
 * scripts/dev/dev-env.ts: the development secrets of `npm start` - generated once per data folder,
 * reused after, never in production, and used in place of `.env.example` placeholders (which
 * cloud/config.ts refuses like missing values).
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { applyDevSecrets } from '../../scripts/dev/dev-env';
import { removeTempDir, tempDir } from '../helpers/temp-dir';

const KEYS = [
  'NODE_ENV',
  'SECRET_KEY',
  'ENCRYPTION_KEY',
  'PARSE_MASTER_KEY',
  'PARSE_APP_ID',
  'PARSE_REST_API_KEY',
  'PARSE_JAVASCRIPT_KEY',
];
let saved: Record<string, string | undefined>;
let dir: string;

beforeEach(() => {
  saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));
  for (const k of KEYS) delete process.env[k];
  dir = tempDir('dev-env');
});
afterEach(() => {
  for (const k of KEYS)
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  removeTempDir(dir);
});

it('generates the secrets once (mode 600), then reuses them', () => {
  expect(applyDevSecrets(dir)).toEqual({ outcome: 'generated', replacedPlaceholders: [] });
  const file = path.join(dir, 'dev-secrets.json');
  expect(statSync(file).mode & 0o777).toBe(0o600);
  const first = process.env.SECRET_KEY;
  for (const k of KEYS.slice(1)) delete process.env[k];
  expect(applyDevSecrets(dir).outcome).toBe('reused');
  expect(process.env.SECRET_KEY).toBe(first);
  expect(JSON.parse(readFileSync(file, 'utf8')).SECRET_KEY).toBe(first);
});

it('replaces .env.example placeholders, keeps real values', () => {
  process.env.SECRET_KEY = 'replace_with_32_or_more_random_characters';
  process.env.PARSE_MASTER_KEY = 'your_parse_master_key';
  process.env.PARSE_APP_ID = 'my-real-app';
  const result = applyDevSecrets(dir);
  expect(result.replacedPlaceholders.sort()).toEqual(['PARSE_MASTER_KEY', 'SECRET_KEY']);
  expect(process.env.SECRET_KEY).not.toMatch(/^replace_with/);
  expect(process.env.PARSE_MASTER_KEY).not.toMatch(/^your_/);
  expect(process.env.PARSE_APP_ID).toBe('my-real-app');
});

it('generates nothing in production: the placeholders then stop start-up (cloud/config.ts)', () => {
  process.env.NODE_ENV = 'production';
  process.env.SECRET_KEY = 'replace_with_32_or_more_random_characters';
  expect(applyDevSecrets(dir).outcome).toBe('not-needed');
  expect(process.env.SECRET_KEY).toBe('replace_with_32_or_more_random_characters');
});
