/**
 * `npm run schema:apply [-- --check] [--server-url URL] [--app-id ID] [--master-key KEY]
 *  [--schema-dir DIR] [--local]`
 *
 * Applies schema/ (classes, fields, indexes, master-key-only CLPs) to any Parse server through
 * the REST schema API, idempotently and without ever dropping a field, an index or data
 * (cloud/schema/apply.ts). `--check` changes nothing: it prints the drift and exits 1 when the
 * server differs from schema/.
 *
 * Credentials: flags, else PARSE_SERVER_URL / PARSE_APP_ID / PARSE_MASTER_KEY from the
 * environment or `.env` (`.env.example` placeholders count as unset); the server URL defaults to
 * back4app.config.json's parseServerUrl (https://parseapi.back4app.com) and the app id to its
 * applicationId. `--local` targets the server `npm start` runs, `--sandbox` the one
 * `npm run start:sandbox` runs (picked by itself when it is the only one running): its URL and
 * keys come from <DATA_DIR>/server.json and dev-secrets.json, or <DATA_DIR>/sandbox/ for the
 * sandbox (scripts/dev/local-server.ts). Development keys are only ever sent to a localhost URL. The
 * master key is never printed; a refused one is reported with the place it came from.
 *
 * Exit codes: 0 in sync / applied, 1 drift (check) or drift left after applying, 2 usage,
 * configuration or connection error.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, parseEnv } from 'node:util';
import { z } from 'zod';
import {
  applySchema,
  checkSchema,
  httpSchemaRequest,
  type SchemaChange,
  type SchemaDrift,
  type SchemaRequest,
} from '../../cloud/schema/apply';
import { ClassDefinitionSchema, type ClassDefinition } from '../../cloud/schema/definitions';
import { isPlaceholderValue } from '../../cloud/config';
import { isPlaceholder, loadBack4AppConfig, ROOT } from '../deploy/back4app-config';
import { localTarget } from '../dev/local-server';

export class SchemaToolError extends Error {
  override name = 'SchemaToolError';
}

/** Reads and validates every `*.json` class definition in `dir`, sorted by file name. */
export function loadSchemaDir(dir: string): ClassDefinition[] {
  if (!existsSync(dir)) throw new SchemaToolError(`schema folder ${dir} does not exist`);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  if (files.length === 0) throw new SchemaToolError(`schema folder ${dir} has no *.json file`);
  return files.map((f) => {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
    } catch (err) {
      throw new SchemaToolError(`${f} is not valid JSON: ${(err as Error).message}`);
    }
    const parsed = ClassDefinitionSchema.safeParse(raw);
    if (!parsed.success)
      throw new SchemaToolError(
        `${f} is not a class definition:\n${parsed.error.issues
          .map((i) => `  ${i.path.join('.') || '(top level)'}: ${i.message}`)
          .join('\n')}`,
      );
    return parsed.data;
  });
}

const FlagsSchema = z.object({
  check: z.boolean().default(false),
  local: z.boolean().default(false),
  sandbox: z.boolean().default(false),
  'server-url': z.string().url('--server-url must be a URL').optional(),
  'app-id': z.string().min(1).optional(),
  'master-key': z.string().min(1).optional(),
  'schema-dir': z.string().min(1).optional(),
  config: z.string().min(1).optional(),
  help: z.boolean().default(false),
});
export type SchemaFlags = z.infer<typeof FlagsSchema>;

export function parseSchemaFlags(argv: string[]): SchemaFlags {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        check: { type: 'boolean' },
        local: { type: 'boolean' },
        sandbox: { type: 'boolean' },
        'server-url': { type: 'string' },
        'app-id': { type: 'string' },
        'master-key': { type: 'string' },
        'schema-dir': { type: 'string' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new SchemaToolError(`${(err as Error).message} (see --help)`);
  }
  const parsed = FlagsSchema.safeParse(values);
  if (!parsed.success)
    throw new SchemaToolError(parsed.error.issues.map((i) => i.message).join('; '));
  return parsed.data;
}

export interface Target {
  serverUrl: string;
  appId: string;
  masterKey: string;
  /** Where the master key came from ("--master-key", ".env", ".data/sandbox/dev-secrets.json"...). */
  keySource: string;
  /** Said before anything else, e.g. that the running sandbox was picked. */
  note?: string;
  /** When the key came from a local server's keys file: the other server's file (for the hint). */
  otherKeysFile?: { path: string; flag: string };
}

function isLocalUrl(u: string): boolean {
  const host = new URL(u).hostname;
  return host === 'localhost' || host === '127.0.0.1' || host === '::1' || host === '[::1]';
}

/** Reads `.env` (without overriding `env`) and, for local servers, the running one's keys file. */
export function resolveTarget(
  flags: SchemaFlags,
  env: NodeJS.ProcessEnv,
  rootDir: string,
  defaults: { serverUrl: string; appId: string | undefined },
): Target {
  const dotEnvFile = path.join(rootDir, '.env');
  const fileEnv = existsSync(dotEnvFile) ? parseEnv(readFileSync(dotEnvFile, 'utf8')) : {};
  const usable = (v: string | undefined) => (v && !isPlaceholderValue(v) ? v : undefined);
  const pick = (k: string): [string, string] | undefined => {
    if (usable(env[k])) return [env[k]!, `${k} (environment)`];
    if (usable(fileEnv[k])) return [fileEnv[k]!, `${k} in .env`];
    return undefined;
  };
  const shown = (file: string) => {
    const rel = path.relative(rootDir, file);
    return rel.startsWith('..') ? file : rel;
  };
  const local = flags.local || flags.sandbox;
  const server = localTarget(rootDir, { ...fileEnv, ...env }, flags.sandbox);
  const localUrl =
    server.running?.parseServerUrl ?? `http://localhost:${pick('PORT')?.[0] ?? '8000'}/parse`;
  const serverUrl =
    flags['server-url'] ?? (local ? localUrl : undefined) ?? pick('PARSE_SERVER_URL')?.[0];
  const finalUrl = (serverUrl ?? defaults.serverUrl).replace(/\/+$/, '');

  let dev: Record<string, string> = {};
  const useDev = isLocalUrl(finalUrl) && existsSync(server.secretsFile);
  if (useDev)
    dev = z
      .record(z.string(), z.string())
      .parse(JSON.parse(readFileSync(server.secretsFile, 'utf8')));
  const appId = flags['app-id'] ?? pick('PARSE_APP_ID')?.[0] ?? dev.PARSE_APP_ID ?? defaults.appId;
  const key: [string, string] | undefined = flags['master-key']
    ? [flags['master-key'], '--master-key']
    : (pick('PARSE_MASTER_KEY') ??
      (dev.PARSE_MASTER_KEY ? [dev.PARSE_MASTER_KEY, shown(server.secretsFile)] : undefined));
  const missing: string[] = [];
  if (!appId) missing.push('the app id (--app-id or PARSE_APP_ID)');
  if (!key) missing.push('the master key (--master-key or PARSE_MASTER_KEY)');
  if (missing.length > 0)
    throw new SchemaToolError(
      `Missing ${missing.join(' and ')} for ${finalUrl}. On Back4App both are in App Settings -> ` +
        'Security & Keys; locally, npm start writes them to .data/dev-secrets.json and ' +
        'npm run start:sandbox to .data/sandbox/dev-secrets.json (use --local or --sandbox).',
    );
  const otherDir = server.sandbox
    ? path.dirname(server.dataDir)
    : path.join(server.dataDir, 'sandbox');
  return {
    serverUrl: finalUrl,
    appId: appId!,
    masterKey: key![0],
    keySource: key![1],
    ...(server.detected && local
      ? { note: `Using the running sandbox (${shown(server.dataDir)}).` }
      : {}),
    ...(useDev && key![1] === shown(server.secretsFile)
      ? {
          otherKeysFile: {
            path: shown(path.join(otherDir, 'dev-secrets.json')),
            flag: server.sandbox ? '--local without --sandbox' : '--sandbox',
          },
        }
      : {}),
  };
}

export interface SchemaRunResult {
  exitCode: number;
  changes: SchemaChange[];
  drift: SchemaDrift[];
}

const driftLine = (d: SchemaDrift) => `  ${d.className}: ${d.problem}`;
const changeLine = (c: SchemaChange) => `  ${c.className}: ${c.action} (${c.detail})`;

/** The tool's logic with its inputs injected (tests call this; `main` wires the real ones). */
export async function runSchemaTool(opts: {
  check: boolean;
  defs: readonly ClassDefinition[];
  request: SchemaRequest;
  target: string;
  out?: (line: string) => void;
}): Promise<SchemaRunResult> {
  const out = opts.out ?? console.log;
  const names = opts.defs.map((d) => d.className).join(', ');
  if (opts.check) {
    const drift = await checkSchema(opts.request, opts.defs);
    if (drift.length === 0) {
      out(`${opts.target}: schema in sync (${names}).`);
      return { exitCode: 0, changes: [], drift };
    }
    out(`${opts.target}: ${drift.length} difference(s) from schema/:`);
    drift.forEach((d) => out(driftLine(d)));
    out('Run npm run schema:apply (without --check) to repair; nothing is ever dropped.');
    return { exitCode: 1, changes: [], drift };
  }
  const changes = await applySchema(opts.request, opts.defs);
  if (changes.length === 0) out(`${opts.target}: nothing to change (${names}).`);
  else {
    out(`${opts.target}: applied ${changes.length} change(s):`);
    changes.forEach((c) => out(changeLine(c)));
  }
  // What apply cannot repair without dropping something (e.g. a field of another type) remains.
  const drift = await checkSchema(opts.request, opts.defs);
  if (drift.length > 0) {
    out('Still different (apply never drops or retypes a field; fix these by hand):');
    drift.forEach((d) => out(driftLine(d)));
    return { exitCode: 1, changes, drift };
  }
  return { exitCode: 0, changes, drift };
}

const HELP = `Usage: npm run schema:apply -- [--check] [--local] [--server-url URL] [--app-id ID]
                              [--master-key KEY] [--schema-dir DIR] [--config FILE]
  --check        report drift only; exit 1 when the server differs from schema/
  --local        target the server npm start runs (its URL and .data/dev-secrets.json), or the
                 sandbox when only npm run start:sandbox runs
  --sandbox      target the server npm run start:sandbox runs (.data/sandbox/dev-secrets.json)
Credentials default to PARSE_SERVER_URL, PARSE_APP_ID, PARSE_MASTER_KEY (environment or .env);
the server URL defaults to https://parseapi.back4app.com.`;

export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  rootDir = ROOT,
): Promise<number> {
  let resolved: Target | undefined;
  try {
    const flags = parseSchemaFlags(argv);
    if (flags.help) {
      console.log(HELP);
      return 0;
    }
    const cfg = loadBack4AppConfig(
      flags.config ? path.resolve(flags.config) : path.join(rootDir, 'back4app.config.json'),
    );
    const target = resolveTarget(flags, env, rootDir, {
      serverUrl: cfg.parseServerUrl,
      appId: isPlaceholder(cfg.applicationId) ? undefined : cfg.applicationId,
    });
    resolved = target;
    if (target.note) console.log(target.note);
    const defs = loadSchemaDir(path.resolve(rootDir, flags['schema-dir'] ?? cfg.schemaDir));
    const request = httpSchemaRequest(target);
    const result = await runSchemaTool({
      check: flags.check,
      defs,
      request,
      target: `${target.serverUrl} (app ${target.appId})`,
    });
    return result.exitCode;
  } catch (err) {
    const e = err as { code?: unknown; message?: string; cause?: { code?: string } };
    if ((e.code === 401 || e.code === 403) && resolved)
      console.error(refusedKeyMessage(resolved, e.code));
    else if (e.cause?.code === 'ECONNREFUSED' || e.message === 'fetch failed')
      console.error(
        `Cannot reach the Parse server at ${resolved?.serverUrl ?? 'the given URL'} (${e.cause?.code ?? e.message}): check --server-url / PARSE_SERVER_URL, or start the local stack (npm start, or npm run start:sandbox with --sandbox).`,
      );
    else console.error(e.message ?? String(err));
    return 2;
  }
}

/** One line: who refused which key from where, and what to try. */
export function refusedKeyMessage(t: Target, status: number): string {
  const base = `${t.serverUrl} refused the master key from ${t.keySource} (${status}).`;
  if (t.otherKeysFile)
    return `${base} Is it the server you meant? The other local server keeps its keys in ${t.otherKeysFile.path} (use ${t.otherKeysFile.flag}).`;
  if (isLocalUrl(t.serverUrl))
    return `${base} Check PARSE_APP_ID / PARSE_MASTER_KEY against the keys the local server was started with.`;
  return `${base} Check PARSE_APP_ID / PARSE_MASTER_KEY (Back4App: App Settings -> Security & Keys), and that this machine may use the master key (parse-server masterKeyIps).`;
}

if (require.main === module) void main(process.argv.slice(2)).then((code) => process.exit(code));
