/**
 * back4app.config.json: what the deploy tooling needs to know about the Back4App app (names and
 * settings only, never a secret value). Validated with zod at every use; every problem is reported
 * with its JSON path and how to fix it.
 *
 * `npx tsx scripts/deploy/back4app-config.ts [file]` validates the file and prints a summary.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

// From package.json, not __dirname: this file also runs bundled (scripts/run.cjs).
import { ROOT } from '../build/build-cache.cjs';

export { ROOT };
export const DEFAULT_CONFIG_FILE = path.join(ROOT, 'back4app.config.json');

export class Back4AppConfigError extends Error {
  override name = 'Back4AppConfigError';
}

/** A value someone still has to replace (REPLACE_WITH_..., your-..., <...>, empty). */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  return v === '' || /^replace[_-]/i.test(v) || /^your[_-]/i.test(v) || /[<>]/.test(v);
}

const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;
/** Variable names whose values are treated as secret whatever the config says. */
export const SECRET_NAME = /KEY|SECRET|TOKEN|PASSWORD/i;

const EnvVarSchema = z
  .object({
    name: z.string().regex(ENV_NAME, 'must be an UPPER_SNAKE_CASE environment variable name'),
    secret: z.boolean(),
    required: z.boolean(),
    description: z.string().min(1),
  })
  // `.strict()` turns a stray "value" key into an error: this file must never hold a value.
  .strict()
  .refine((v) => v.secret || !SECRET_NAME.test(v.name), {
    message: 'has a secret-looking name (KEY/SECRET/TOKEN/PASSWORD): set "secret": true',
  });

// Back4App's Background Jobs screen offers "daily at a time" or "every N minutes/hours"
// (platform-facts.md, Back4App); the schedule mirrors those two forms.
const ScheduleSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('daily'),
      at: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24 h)'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('interval'),
      every: z.number().int().min(1),
      unit: z.enum(['minutes', 'hours']),
    })
    .strict(),
]);

const JobSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be a Cloud Code job name'),
    schedule: ScheduleSchema,
    description: z.string().min(1),
  })
  .strict();

const httpsUrl = z
  .string()
  .url()
  .refine((u) => u.startsWith('https://'), 'must be an https:// URL')
  .transform((u) => u.replace(/\/+$/, ''));

export const Back4AppConfigSchema = z
  .object({
    $comment: z.string().optional(),
    appName: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]*$/, 'letters, digits, space, _ . - only'),
    /** Not secret (it is sent by every client); a placeholder is allowed until deploy time. */
    applicationId: z.string().min(1),
    /** `<sub>` of https://<sub>.b4a.app (Server Settings -> Web Hosting); placeholder allowed. */
    webHostingSubdomain: z
      .string()
      .refine(
        (s) => isPlaceholder(s) || /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(s),
        'must be the subdomain only (lowercase letters, digits, -), e.g. "my-airtable-mcp"',
      ),
    parseServerUrl: httpsUrl,
    /** The Parse Server version selected in Back4App's dashboard; 7.x is the confirmed one. */
    parseServerVersion: z.string().regex(/^\d+\.(x|\d+(\.\d+)?)$/, 'e.g. "7.x" or "7.4.0"'),
    /** Node major the bundle targets (Back4App's Node version is UNVERIFIED). */
    nodeVersion: z.string().regex(/^\d+$/, 'a Node major version, e.g. "18"'),
    schemaDir: z.string().min(1),
    distDir: z.string().min(1),
    maxBundleBytes: z.number().int().positive(),
    environment: z.array(EnvVarSchema).min(1),
    jobs: z.array(JobSchema),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    for (const [i, v] of cfg.environment.entries()) {
      if (seen.has(v.name))
        ctx.addIssue({
          code: 'custom',
          path: ['environment', i, 'name'],
          message: `${v.name} is listed twice`,
        });
      seen.add(v.name);
    }
  });

export type Back4AppConfig = z.infer<typeof Back4AppConfigSchema>;
export type JobSchedule = z.infer<typeof ScheduleSchema>;

/** Parses an already-read value; `source` names it in error messages. */
export function parseBack4AppConfig(raw: unknown, source = 'back4app.config.json'): Back4AppConfig {
  const parsed = Back4AppConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
      return `  ${where}: ${issue.message}`;
    });
    throw new Back4AppConfigError(`${source} is invalid:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** Reads and validates the config file (default: back4app.config.json at the repo root). */
export function loadBack4AppConfig(file = DEFAULT_CONFIG_FILE): Back4AppConfig {
  const rel = path.relative(process.cwd(), file) || file;
  if (!existsSync(file))
    throw new Back4AppConfigError(
      `${rel} is missing: copy back4app.config.json from the repository and fill in your app.`,
    );
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Back4AppConfigError(`${rel} is not valid JSON: ${(err as Error).message}`);
  }
  return parseBack4AppConfig(raw, rel);
}

/** Throws unless the config names a real app (deploy must never target a placeholder). */
export function assertDeployable(cfg: Back4AppConfig): void {
  if (isPlaceholder(cfg.applicationId))
    throw new Back4AppConfigError(
      'back4app.config.json: applicationId is still a placeholder. Copy your Application ID from ' +
        'Back4App (App Settings -> Security & Keys) into back4app.config.json.',
    );
}

/** https://<sub>.b4a.app, or undefined while the subdomain is a placeholder. */
export function webHostingUrl(cfg: Back4AppConfig): string | undefined {
  return isPlaceholder(cfg.webHostingSubdomain)
    ? undefined
    : `https://${cfg.webHostingSubdomain}.b4a.app`;
}

/** Names whose values must never appear in the bundle: marked secret, or secret-looking. */
export function secretEnvNames(cfg: Back4AppConfig): string[] {
  return cfg.environment.filter((v) => v.secret || SECRET_NAME.test(v.name)).map((v) => v.name);
}

/** The schedule in words, as it is entered in Back4App's Background Jobs screen. */
export function describeSchedule(s: JobSchedule): string {
  return s.kind === 'daily' ? `daily at ${s.at}` : `every ${s.every} ${s.unit}`;
}

/** The same schedule as a 5-field cron expression (the local scheduler's CLEANUP_SCHEDULE form). */
export function scheduleToCron(s: JobSchedule): string {
  if (s.kind === 'daily') {
    const [h, m] = s.at.split(':').map(Number);
    return `${m ?? 0} ${h ?? 0} * * *`;
  }
  return s.unit === 'minutes' ? `*/${s.every} * * * *` : `0 */${s.every} * * *`;
}

if (require.main === module) {
  try {
    const file = process.argv[2] ? path.resolve(process.argv[2]) : DEFAULT_CONFIG_FILE;
    const cfg = loadBack4AppConfig(file);
    console.log(`${path.relative(process.cwd(), file)} is valid.`);
    console.log(
      `  app ${cfg.appName}, Parse Server ${cfg.parseServerVersion}, node${cfg.nodeVersion}`,
    );
    console.log(`  applicationId: ${isPlaceholder(cfg.applicationId) ? 'PLACEHOLDER' : 'set'}`);
    console.log(`  Web Hosting: ${webHostingUrl(cfg) ?? 'PLACEHOLDER subdomain'}`);
    console.log(
      `  environment: ${cfg.environment.map((v) => `${v.name}${v.required ? '' : '?'}`).join(' ')}`,
    );
    for (const j of cfg.jobs) console.log(`  job ${j.name}: ${describeSchedule(j.schedule)}`);
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
