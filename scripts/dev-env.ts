/**
 * Local environment for `npm start`: loads `.env` when present, and on a fresh clone generates
 * development-only secrets once into .data/dev-secrets.json (gitignored). Outside development
 * (NODE_ENV=production) nothing is generated: missing secrets stop start-up (cloud/config.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface DevSecrets {
  SECRET_KEY: string;
  ENCRYPTION_KEY: string;
  PARSE_MASTER_KEY: string;
  PARSE_APP_ID: string;
  PARSE_REST_API_KEY: string;
  PARSE_JAVASCRIPT_KEY: string;
}

export function loadDotEnv(root: string): void {
  const file = path.join(root, '.env');
  if (existsSync(file)) process.loadEnvFile(file);
}

/** Fills process.env with generated development secrets where unset; returns what it did. */
export function applyDevSecrets(dataDir: string): 'generated' | 'reused' | 'not-needed' {
  const production = process.env.NODE_ENV === 'production';
  const file = path.join(dataDir, 'dev-secrets.json');
  let secrets: DevSecrets | undefined;
  let outcome: 'generated' | 'reused' | 'not-needed' = 'not-needed';
  const needed: (keyof DevSecrets)[] = [
    'SECRET_KEY',
    'ENCRYPTION_KEY',
    'PARSE_MASTER_KEY',
    'PARSE_APP_ID',
    'PARSE_REST_API_KEY',
    'PARSE_JAVASCRIPT_KEY',
  ];
  if (production || needed.every((k) => process.env[k])) return outcome;
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
  for (const k of needed) process.env[k] ??= secrets[k];
  return outcome;
}
