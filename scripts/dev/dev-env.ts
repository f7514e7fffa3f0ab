/**
 * Local environment for `npm start`: loads `.env` when present, and on a fresh clone generates
 * development-only secrets once into <DATA_DIR>/dev-secrets.json (gitignored). Outside development
 * (NODE_ENV=production) nothing is generated: missing secrets stop start-up (cloud/config.ts).
 * A value still equal to an `.env.example` placeholder counts as unset here too.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isPlaceholderValue } from '../../cloud/config';

export interface DevSecrets {
  SECRET_KEY: string;
  ENCRYPTION_KEY: string;
  PARSE_MASTER_KEY: string;
  PARSE_APP_ID: string;
  PARSE_REST_API_KEY: string;
  PARSE_JAVASCRIPT_KEY: string;
}

const NEEDED: (keyof DevSecrets)[] = [
  'SECRET_KEY',
  'ENCRYPTION_KEY',
  'PARSE_MASTER_KEY',
  'PARSE_APP_ID',
  'PARSE_REST_API_KEY',
  'PARSE_JAVASCRIPT_KEY',
];

export function loadDotEnv(root: string): void {
  const file = path.join(root, '.env');
  if (existsSync(file)) process.loadEnvFile(file);
}

/** The development secrets file of a data folder (npm start's, or the sandbox's). */
export function devSecretsFile(dataDir: string): string {
  return path.join(dataDir, 'dev-secrets.json');
}

export interface DevSecretsOutcome {
  outcome: 'generated' | 'reused' | 'not-needed';
  /** Variables whose .env.example placeholder was replaced by a development secret. */
  replacedPlaceholders: string[];
}

/** Fills process.env with generated development secrets where unset (or a placeholder). */
export function applyDevSecrets(dataDir: string): DevSecretsOutcome {
  const env = process.env;
  const unset = (k: string) => !env[k] || isPlaceholderValue(env[k]);
  const missing = NEEDED.filter(unset);
  if (env.NODE_ENV === 'production' || missing.length === 0)
    return { outcome: 'not-needed', replacedPlaceholders: [] };
  const file = devSecretsFile(dataDir);
  let secrets: DevSecrets;
  let outcome: DevSecretsOutcome['outcome'];
  if (existsSync(file)) {
    secrets = JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
    outcome = 'reused';
  } else {
    secrets = {
      SECRET_KEY: randomBytes(32).toString('base64url'),
      ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
      PARSE_MASTER_KEY: randomBytes(24).toString('base64url'),
      PARSE_APP_ID: 'airtable-mcp-local',
      PARSE_REST_API_KEY: randomBytes(18).toString('base64url'),
      PARSE_JAVASCRIPT_KEY: randomBytes(18).toString('base64url'),
    };
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
    outcome = 'generated';
  }
  const replacedPlaceholders = missing.filter((k) => env[k]);
  for (const k of missing) env[k] = secrets[k];
  return { outcome, replacedPlaceholders };
}
