/**
 * `npm run deploy [-- --dry-run] [--skip-build] [--force] [--description TEXT] [--config FILE]`
 *
 * Builds Cloud Code (scripts/build/build.ts) into dist/, checks it (scripts/deploy/deploy-checks.ts), writes
 * dist/.parse.local and dist/.parse.project from back4app.config.json and runs `b4a deploy` with
 * cwd dist/ - the folder layout b4a expects (cloud/ + public/). `--dry-run` builds and checks
 * only, listing every file b4a would upload; it needs neither b4a nor an account key.
 *
 * Account key: the one `b4a configure accountkey` stored in ~/.back4app/netrc, or B4A_ACCOUNT_KEY.
 * b4a itself reads only the netrc (back4app/parse-cli parsecli/login.go), so with B4A_ACCOUNT_KEY
 * the key is piped on stdin to `b4a configure accountkey -d` under a throwaway HOME: it never
 * appears on a command line and the user's own netrc is left alone.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import {
  assertDeployable,
  Back4AppConfigError,
  loadBack4AppConfig,
  ROOT,
  webHostingUrl,
  type Back4AppConfig,
} from './back4app-config';
import { collectSecretValues, runDeployChecks, type CheckResult } from './deploy-checks';
import {
  formatBytes,
  listUploadFiles,
  parseLocalJson,
  writeParseProjectFiles,
} from './deploy-files';

export const B4A_INSTALL_HELP = `b4a (Back4App's command line tool) is not on the PATH. Install it with Back4App's installer:
  curl https://raw.githubusercontent.com/back4app/parse-cli/back4app/installer.sh | sudo /bin/bash
(it downloads the latest release from github.com/back4app/parse-cli/releases to /usr/local/bin/b4a;
it needs curl and python3). Then store your account key (Back4App dashboard -> Account Keys):
  b4a configure accountkey
or set B4A_ACCOUNT_KEY for this run. "npm run deploy -- --dry-run" works without b4a.`;

export const ACCOUNT_KEY_HELP = `No Back4App account key: run "b4a configure accountkey" (stores it in ~/.back4app/netrc;
create the key in the Back4App dashboard -> Account Keys) or set B4A_ACCOUNT_KEY for this run.`;

/** The absolute path of `name` on `PATH`, if an executable file is there. */
export function findOnPath(name: string, envPath: string | undefined): string | undefined {
  for (const dir of (envPath ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

type AccountKey = { kind: 'env'; key: string } | { kind: 'netrc'; file: string } | undefined;

export function findAccountKey(env: NodeJS.ProcessEnv): AccountKey {
  const key = env.B4A_ACCOUNT_KEY?.trim();
  if (key) return { kind: 'env', key };
  const home = env.HOME ?? os.homedir();
  const file = path.join(home, '.back4app', 'netrc');
  return existsSync(file) ? { kind: 'netrc', file } : undefined;
}

function run(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; stdin?: string; quiet?: boolean },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env,
      stdio: [
        opts.stdin === undefined ? 'inherit' : 'pipe',
        opts.quiet ? 'ignore' : 'inherit',
        'inherit',
      ],
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    if (opts.stdin !== undefined) child.stdin?.end(opts.stdin);
  });
}

export interface DeployOptions {
  config: Back4AppConfig;
  /** Where .env and .data/ live (secret scan). */
  rootDir: string;
  /** The b4a project folder: dist/. */
  distDir: string;
  env: NodeJS.ProcessEnv;
  dryRun?: boolean;
  skipBuild?: boolean;
  force?: boolean;
  description?: string;
  /** Injected build (default scripts/build/build.ts). */
  build?: (outDir: string) => Promise<unknown>;
  out?: (line: string) => void;
}

const MARK: Record<CheckResult['status'], string> = { pass: 'ok  ', fail: 'FAIL', warn: 'warn' };

/** Build, check and (unless dry run) upload; resolves the process exit code. */
export async function deploy(opts: DeployOptions): Promise<number> {
  const out = opts.out ?? console.log;
  let b4a: string | undefined;
  let account: AccountKey;
  if (!opts.dryRun) {
    assertDeployable(opts.config);
    b4a = findOnPath('b4a', opts.env.PATH);
    if (!b4a) {
      out(B4A_INSTALL_HELP);
      return 1;
    }
    account = findAccountKey(opts.env);
    if (!account) {
      out(ACCOUNT_KEY_HELP);
      return 1;
    }
  }

  if (!opts.skipBuild) {
    const doBuild = opts.build ?? (await import('../build/build')).build;
    await doBuild(opts.distDir);
  }
  const listing = listUploadFiles(opts.distDir);
  const rel = path.relative(process.cwd(), opts.distDir) || '.';
  out(`${opts.dryRun ? 'Would upload' : 'Uploading'} from ${rel}/ (as b4a deploy does):`);
  for (const f of listing.files) out(`  ${f.path.padEnd(40)} ${formatBytes(f.bytes).padStart(10)}`);
  out(
    `  ${`${listing.files.length} file(s)`.padEnd(40)} ${formatBytes(listing.totalBytes).padStart(10)}`,
  );
  if (listing.skipped.length > 0)
    out(`  skipped (dotfiles, as b4a does): ${listing.skipped.join(', ')}`);

  const secrets = collectSecretValues({
    env: opts.env,
    rootDir: opts.rootDir,
    config: opts.config,
  });
  const checks = runDeployChecks({
    projectDir: opts.distDir,
    listing,
    config: opts.config,
    secrets,
  });
  out('Checks:');
  for (const c of checks) out(`  ${MARK[c.status]} ${c.name}: ${c.detail}`);
  const failed = checks.filter((c) => c.status === 'fail');
  if (failed.length > 0) {
    out(
      `${failed.length} check(s) failed: ${opts.dryRun ? 'this would not be deployed' : 'not deploying'}.`,
    );
    return 1;
  }
  if (opts.dryRun) {
    out(`Dry run passed. b4a deploy would run in ${rel}/ with .parse.local:`);
    out(parseLocalJson(opts.config).trimEnd());
    return 0;
  }

  writeParseProjectFiles(opts.distDir, opts.config);
  const args = [
    'deploy',
    ...(opts.force ? ['-f'] : []),
    ...(opts.description ? ['-d', opts.description] : []),
  ];
  const childEnv: NodeJS.ProcessEnv = { ...opts.env };
  delete childEnv.B4A_ACCOUNT_KEY; // b4a never reads it; do not hand it on
  let tmpHome: string | undefined;
  try {
    if (account?.kind === 'env') {
      tmpHome = mkdtempSync(path.join(os.tmpdir(), 'b4a-home-'));
      childEnv.HOME = tmpHome;
      const code = await run(b4a!, ['configure', 'accountkey', '-d'], {
        cwd: opts.distDir,
        env: childEnv,
        stdin: `${account.key}\n`,
        quiet: true,
      });
      if (code !== 0) {
        out('b4a refused B4A_ACCOUNT_KEY (b4a configure accountkey failed): check the key.');
        return code;
      }
    }
    out(`Running b4a ${args.join(' ')} in ${rel}/ ...`);
    const code = await run(b4a!, args, { cwd: opts.distDir, env: childEnv });
    if (code !== 0) {
      out(`b4a deploy failed (exit ${code}).`);
      return code;
    }
  } finally {
    if (tmpHome) rmSync(tmpHome, { recursive: true, force: true });
  }
  const site = webHostingUrl(opts.config) ?? 'https://<subdomain>.b4a.app';
  out('Deployed. Next: npm run schema:apply (with the master key in PARSE_MASTER_KEY), then');
  out(`  npm run smoke -- ${site}`);
  return 0;
}

const FlagsSchema = z.object({
  'dry-run': z.boolean().default(false),
  'skip-build': z.boolean().default(false),
  force: z.boolean().default(false),
  description: z.string().min(1).max(200).optional(),
  config: z.string().min(1).optional(),
  help: z.boolean().default(false),
});

const HELP = `Usage: npm run deploy -- [--dry-run] [--skip-build] [--force] [--description TEXT] [--config FILE]
  --dry-run      build and check only; list what b4a would upload (no b4a needed)
  --skip-build   use the existing dist/
  --force        upload even unchanged files (b4a deploy -f)`;

export async function main(argv: string[], env = process.env, rootDir = ROOT): Promise<number> {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        'dry-run': { type: 'boolean' },
        'skip-build': { type: 'boolean' },
        force: { type: 'boolean', short: 'f' },
        description: { type: 'string', short: 'd' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
    const flags = FlagsSchema.parse(values);
    if (flags.help) {
      console.log(HELP);
      return 0;
    }
    const config = loadBack4AppConfig(
      flags.config ? path.resolve(flags.config) : path.join(rootDir, 'back4app.config.json'),
    );
    return await deploy({
      config,
      rootDir,
      distDir: path.resolve(rootDir, config.distDir),
      env,
      dryRun: flags['dry-run'],
      skipBuild: flags['skip-build'],
      force: flags.force,
      ...(flags.description ? { description: flags.description } : {}),
    });
  } catch (err) {
    const argsError = String((err as { code?: unknown }).code ?? '').startsWith('ERR_PARSE_ARGS');
    if (err instanceof Back4AppConfigError || err instanceof z.ZodError || argsError)
      console.error(err instanceof z.ZodError ? z.prettifyError(err) : (err as Error).message);
    else console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    return 2;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
