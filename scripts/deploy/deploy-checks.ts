/**
 * The checks `npm run deploy` runs before uploading (and `--dry-run` runs alone): entry files
 * present, no node_modules, no source maps, no require() of what Back4App provides as globals, no
 * secret value from this machine inside the bundle, total size under the configured limit.
 *
 * Secret values are collected from the environment, `.env`, .data/dev-secrets.json and the
 * sandbox's .data/sandbox/dev-secrets.json, for every
 * variable whose name looks secret (KEY, SECRET, TOKEN, PASSWORD) or that back4app.config.json
 * marks `"secret": true`, when at least 8 characters long. Reports name the variable and where
 * its value came from - never the value.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { isPlaceholder, SECRET_NAME, secretEnvNames, type Back4AppConfig } from './back4app-config';
import { existingDevSecretsFiles } from '../dev/local-server';
import { formatBytes, type UploadListing } from './deploy-files';

export const MIN_SECRET_LENGTH = 8;
export const REQUIRED_ENTRIES = ['cloud/main.js', 'cloud/app.js'] as const;
// Back4App provides `Parse` and the Express `app` as globals (platform-facts.md, Back4App).
// Any bare call with one of these names as its only argument: require("x"), or a minifier's alias.
export const FORBIDDEN_REQUIRE =
  /(?<![\w$.])[A-Za-z_$][\w$]*\(\s*["'](express|parse|parse\/node)["']\s*\)/g;

export interface SecretValue {
  name: string;
  source: string;
  value: string;
}

export interface CheckResult {
  name: string;
  status: 'pass' | 'fail' | 'warn';
  detail: string;
}

/** Every secret value this machine knows of (see the file comment); deduplicated by value. */
export function collectSecretValues(opts: {
  env: NodeJS.ProcessEnv;
  rootDir: string;
  config: Back4AppConfig;
}): SecretValue[] {
  const marked = new Set(secretEnvNames(opts.config));
  const isSecret = (name: string) => marked.has(name) || SECRET_NAME.test(name);
  const sources: [string, Record<string, string | undefined>][] = [['environment', opts.env]];
  const dotEnv = path.join(opts.rootDir, '.env');
  if (existsSync(dotEnv)) sources.push(['.env', parseEnv(readFileSync(dotEnv, 'utf8'))]);
  // npm start's and the sandbox's development secrets (scripts/dev/local-server.ts).
  for (const devFile of existingDevSecretsFiles(opts.rootDir, opts.env)) {
    const parsed = z
      .record(z.string(), z.string())
      .safeParse(JSON.parse(readFileSync(devFile, 'utf8')));
    if (parsed.success) sources.push([path.relative(opts.rootDir, devFile), parsed.data]);
  }
  const seen = new Set<string>();
  const out: SecretValue[] = [];
  for (const [source, vars] of sources)
    for (const [name, value] of Object.entries(vars)) {
      if (!value || value.length < MIN_SECRET_LENGTH || !isSecret(name) || seen.has(value))
        continue;
      seen.add(value);
      out.push({ name, source, value });
    }
  return out;
}

/** The byte patterns under which a value can appear in a JS bundle (raw, or JSON-escaped). */
function needles(value: string): Buffer[] {
  const escaped = JSON.stringify(value).slice(1, -1);
  return escaped === value ? [Buffer.from(value)] : [Buffer.from(value), Buffer.from(escaped)];
}

export function runDeployChecks(opts: {
  projectDir: string;
  listing: UploadListing;
  config: Back4AppConfig;
  secrets: readonly SecretValue[];
}): CheckResult[] {
  const { listing, config } = opts;
  const results: CheckResult[] = [];
  const paths = new Set(listing.files.map((f) => f.path));

  const missing = REQUIRED_ENTRIES.filter((p) => !paths.has(p));
  results.push(
    missing.length === 0
      ? { name: 'entry files', status: 'pass', detail: REQUIRED_ENTRIES.join(', ') }
      : { name: 'entry files', status: 'fail', detail: `missing ${missing.join(', ')}` },
  );

  results.push(
    listing.nodeModules.length === 0
      ? { name: 'no node_modules', status: 'pass', detail: 'none' }
      : {
          name: 'no node_modules',
          status: 'fail',
          detail: `found ${listing.nodeModules.join(', ')}: bundle dependencies with esbuild instead`,
        },
  );

  // Source maps stay in dist/sourcemaps/ (scripts/build/build.ts): uploaded, they would only cost space.
  const maps = listing.files.filter((f) => f.path.endsWith('.map')).map((f) => f.path);
  results.push(
    maps.length === 0
      ? { name: 'no source maps', status: 'pass', detail: 'none under cloud/ or public/' }
      : {
          name: 'no source maps',
          status: 'fail',
          detail: `found ${maps.join(', ')}: keep source maps outside cloud/ and public/ (npm run build writes them to dist/sourcemaps/)`,
        },
  );

  const requires: string[] = [];
  const leaks: string[] = [];
  for (const f of listing.files) {
    const bytes = readFileSync(path.join(opts.projectDir, f.path));
    if (/\.(c|m)?js$/.test(f.path))
      for (const m of bytes.toString('utf8').matchAll(FORBIDDEN_REQUIRE))
        requires.push(`${f.path}: ${m[0]}`);
    for (const s of opts.secrets)
      if (needles(s.value).some((n) => bytes.includes(n)))
        leaks.push(`value of ${s.name} (from ${s.source}) in ${f.path}`);
  }
  results.push(
    requires.length === 0
      ? {
          name: 'no require of platform globals',
          status: 'pass',
          detail: 'no require("express"), require("parse"), require("parse/node")',
        }
      : {
          name: 'no require of platform globals',
          status: 'fail',
          detail: `${requires.join('; ')} - Back4App provides these as globals; keep them external and unused`,
        },
  );
  results.push(
    leaks.length === 0
      ? {
          name: 'no secret values',
          status: 'pass',
          detail: `${opts.secrets.length} secret value(s) from this machine searched, none found`,
        }
      : {
          name: 'no secret values',
          status: 'fail',
          detail: `${leaks.join('; ')} - secrets belong in Back4App's Environment Variables, read with process.env at run time`,
        },
  );

  results.push(
    listing.totalBytes <= config.maxBundleBytes
      ? {
          name: 'size',
          status: 'pass',
          detail: `${formatBytes(listing.totalBytes)} of ${formatBytes(config.maxBundleBytes)} allowed`,
        }
      : {
          name: 'size',
          status: 'fail',
          detail: `${formatBytes(listing.totalBytes)} exceeds maxBundleBytes (${formatBytes(config.maxBundleBytes)})`,
        },
  );

  results.push(
    isPlaceholder(config.applicationId)
      ? {
          name: 'application id',
          status: 'warn',
          detail:
            'back4app.config.json applicationId is a placeholder: deploy refuses it until you set it',
        }
      : { name: 'application id', status: 'pass', detail: 'set' },
  );
  return results;
}
