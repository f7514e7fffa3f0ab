/**
 * `npm run test:compat [-- --only ps7-node20,ps8-node20,ps7-node18,load-node18] [--keep]`
 *
 * Back4App offers Parse Server 7.x (confirmed) and runs an UNVERIFIED Node version, while this
 * repository develops on parse-server 9 and Node 20. This builds the bundle once, then:
 *  - installs parse-server@7 and @8 into cached temporary folders (npm install --prefix; router
 *    pinned to 2.2.0 as in our package.json) and, for each target, boots the bundle in a child
 *    process (scripts/compat/compat-boot.ts) on a fresh embedded PostgreSQL with that install's own
 *    express as the Web Hosting app; checks /health, that every class of schema/ has the locked
 *    CLPs, that a client key is refused, and that POST /mcp answers 401 without credentials;
 *  - installs node@18 (npm's Node binaries) and boots parse-server 7 under it the same way;
 *  - loads main.js and app.js under Node 18 with stub globals (scripts/compat/compat-load.ts).
 * Prints one line per check; exit 1 if any fails.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../deploy/back4app-config';
import { build } from '../build/build';
import { loadSchemaDir } from '../schema/schema-apply';
import { CACHE_DIR, projectTempDir } from '../dev/project-temp';
import { startEmbeddedPostgres } from '../dev/stack';

// parse-server 7 and 8 and Node 18 (about 500 MB): kept between runs, in the project's cache.
const CACHE = path.join(CACHE_DIR, 'compat');
// Children get a temporary folder of ours (tsx's compile cache included), removed at the end.
let childTmp = '';
const TSX_CLI = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const LOCKED_OPS = ['find', 'get', 'count', 'create', 'update', 'delete', 'addField'];

interface Line {
  target: string;
  check: string;
  ok: boolean;
  detail: string;
}
const lines: Line[] = [];
function report(target: string, check: string, ok: boolean, detail: string): void {
  lines.push({ target, check, ok, detail });
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${target.padEnd(11)} ${check.padEnd(22)} ${detail}`);
}

/** `npm install --prefix <cache>/<dir> <spec>` once; returns the prefix. */
function install(dir: string, spec: string, pkg: string, runScripts: boolean): string {
  const prefix = path.join(CACHE, dir);
  if (existsSync(path.join(prefix, 'node_modules', pkg, 'package.json'))) return prefix;
  mkdirSync(prefix, { recursive: true });
  // router 2.3.0 breaks parse-server's PromiseRouter (platform-facts.md): same pin as ours.
  writeFileSync(
    path.join(prefix, 'package.json'),
    JSON.stringify({ name: `compat-${dir}`, private: true, overrides: { router: '2.2.0' } }),
  );
  console.log(`installing ${spec} into ${prefix} ...`);
  const res = spawnSync(
    'npm',
    [
      'install',
      '--prefix',
      prefix,
      spec,
      '--no-audit',
      '--no-fund',
      ...(runScripts ? [] : ['--ignore-scripts']),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (res.status !== 0) throw new Error(`npm install ${spec} failed:\n${res.stderr.slice(-2000)}`);
  return prefix;
}

function appEnv(): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    SECRET_KEY: randomBytes(32).toString('base64url'),
    ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    AIRTABLE_CLIENT_ID: 'compat-client',
    PARSE_APP_ID: 'compat-app',
    PARSE_MASTER_KEY: randomBytes(16).toString('hex'),
    PARSE_REST_API_KEY: randomBytes(16).toString('hex'),
  };
}

async function waitFor(child: ChildProcess, marker: string, ms: number): Promise<string> {
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timeout; output: ${out.slice(-800)}`)), ms);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes(marker)) {
        clearTimeout(timer);
        resolve(out);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code}: ${out.slice(-1200)}`));
    });
  });
}

async function bootTarget(target: string, psPrefix: string, nodeBin: string, dist: string) {
  const dataDir = projectTempDir(`compat-${target}`);
  const pg = await startEmbeddedPostgres(dataDir);
  const env = appEnv();
  let base = '';
  // compat-boot listens on a port the OS picks and prints it (no port found free, then taken).
  const child = spawn(nodeBin, [TSX_CLI, path.join(ROOT, 'scripts', 'compat', 'compat-boot.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: childTmp,
      ...env,
      DATABASE_URI: pg.uri,
      COMPAT_PARSE_SERVER_DIR: path.join(psPrefix, 'node_modules', 'parse-server'),
      COMPAT_DIST_DIR: dist,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const out = await waitFor(child, 'COMPAT_READY', 90_000);
    const ready = /COMPAT_READY (\S+) (.*)/.exec(out);
    base = ready?.[1] ?? '';
    report(target, 'boot', Boolean(ready), ready?.[2] ?? out.slice(-300));
    let health = 0;
    for (let i = 0; i < 150 && health !== 200; i++) {
      health = (await fetch(`${base}/health`).catch(() => undefined))?.status ?? 0;
      if (health !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    report(target, '/health', health === 200, `-> ${health}`);

    const master = {
      'X-Parse-Application-Id': env.PARSE_APP_ID!,
      'X-Parse-Master-Key': env.PARSE_MASTER_KEY!,
    };
    const client = {
      'X-Parse-Application-Id': env.PARSE_APP_ID!,
      'X-Parse-REST-API-Key': env.PARSE_REST_API_KEY!,
    };
    const open: string[] = [];
    const readable: string[] = [];
    const classes = loadSchemaDir(path.join(ROOT, 'schema')).map((d) => d.className);
    for (const c of classes) {
      const s = await fetch(`${base}/parse/schemas/${c}`, { headers: master });
      const clp = ((await s.json()) as { classLevelPermissions?: Record<string, unknown> })
        .classLevelPermissions;
      if (!clp || LOCKED_OPS.some((op) => JSON.stringify(clp[op]) !== '{}')) open.push(c);
      const r = await fetch(`${base}/parse/classes/${c}`, { headers: client });
      if (r.status === 200) readable.push(c);
    }
    report(
      target,
      'classes locked',
      open.length === 0,
      open.length ? `not locked: ${open.join(', ')}` : `${classes.length} classes, master key only`,
    );
    report(
      target,
      'client key refused',
      readable.length === 0,
      readable.length ? `readable: ${readable.join(', ')}` : 'REST key gets no rows',
    );
    const mcp = await fetch(`${base}/mcp`, {
      method: 'POST',
      headers: {
        Accept: 'application/json, text/event-stream',
        'Content-Type': 'application/json',
      },
      body: '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}',
    });
    // Starts Airtable OAuth: exercises PKCE (Web Crypto) on this Node version.
    const authorize = await fetch(`${base}/auth/authorize?platform=compat`, { redirect: 'manual' });
    report(
      target,
      'GET /auth/authorize',
      authorize.status === 302,
      `-> ${authorize.status}${authorize.status === 302 ? '' : ` ${(await authorize.text()).replace(/\s+/g, ' ').slice(0, 200)}`}`,
    );
    report(
      target,
      'POST /mcp -> 401',
      mcp.status === 401,
      `-> ${mcp.status} ${mcp.headers.get('www-authenticate') ? '(Bearer challenge)' : ''}`,
    );
  } catch (err) {
    report(target, 'boot', false, (err as Error).message.replace(/\s+/g, ' ').slice(0, 600));
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    if (child.exitCode === null) child.kill('SIGKILL');
    await pg.stop().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function loadUnderNode(target: string, nodeBin: string, dist: string): void {
  const res = spawnSync(
    nodeBin,
    [TSX_CLI, path.join(ROOT, 'scripts', 'compat', 'compat-load.ts')],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TMPDIR: childTmp,
        ...appEnv(),
        COMPAT_DIST_DIR: dist,
      },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  const json = res.stdout.trim().split('\n').at(-1) ?? '';
  try {
    const r = JSON.parse(json) as {
      node: string;
      loaded: string[];
      cloud: string[];
      routes: string[];
    };
    report(
      target,
      'require main/app.js',
      r.loaded.length === 2,
      `${r.node}: ${r.cloud.length} Cloud registrations (${r.cloud.filter((c) => c.startsWith('job ')).join(', ')}), ${r.routes.length} route registrations`,
    );
  } catch {
    report(
      target,
      'require main/app.js',
      false,
      `exit ${res.status}: ${(res.stderr || res.stdout).replace(/\s+/g, ' ').slice(-600)}`,
    );
  }
}

/** Node 20+ APIs that Node 18 lacks, if the bundle references them (informational). */
function node18Notes(dist: string): string[] {
  // Every file b4a would upload from cloud/: the entries, their shared chunks, the lazy modules.
  const code = readdirSync(path.join(dist, 'cloud'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => readFileSync(path.join(dist, 'cloud', f), 'utf8'))
    .join('\n');
  const apis: [string, RegExp][] = [
    ['AbortSignal.any', /AbortSignal\.any\(/],
    ['Promise.withResolvers', /Promise\.withResolvers\(/],
    ['Object.groupBy', /Object\.groupBy\(/],
    ['Array.fromAsync', /Array\.fromAsync\(/],
    ['process.loadEnvFile', /process\.loadEnvFile\(/],
    [
      'global crypto.subtle (Node 18 needs require("node:crypto").webcrypto)',
      /(?<![\w.])crypto\.subtle/,
    ],
    ['global crypto.getRandomValues', /(?<![\w.])crypto\.getRandomValues\(/],
  ];
  return apis.filter(([, re]) => re.test(code)).map(([name]) => name);
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { only: { type: 'string' }, keep: { type: 'boolean' } },
  });
  const all = ['ps7-node20', 'ps8-node20', 'ps7-node18', 'load-node18'];
  const only = values.only ? values.only.split(',') : all;
  const unknown = only.filter((t) => !all.includes(t));
  if (unknown.length) {
    console.error(`unknown target(s) ${unknown.join(', ')}; known: ${all.join(', ')}`);
    return 2;
  }
  const work = projectTempDir('compat');
  const dist = path.join(work, 'dist');
  childTmp = path.join(work, 'tmp');
  mkdirSync(childTmp);
  await build(dist);
  console.log(`built the bundle into ${dist}; install cache ${CACHE}`);
  const needs18 = only.some((t) => t.endsWith('node18'));
  const node18 = needs18
    ? path.join(install('node18', 'node@18', 'node', true), 'node_modules', 'node', 'bin', 'node')
    : '';
  for (const target of only) {
    try {
      if (target === 'load-node18') {
        loadUnderNode(target, node18, dist);
        const notes = node18Notes(dist);
        console.log(
          `note  ${target.padEnd(11)} Node 20+ APIs referenced in the bundle: ${notes.length ? notes.join(', ') : 'none found'}`,
        );
        continue;
      }
      const major = target.slice(2, 3);
      const prefix = install(`ps${major}`, `parse-server@${major}`, 'parse-server', false);
      await bootTarget(target, prefix, target.endsWith('node18') ? node18 : process.execPath, dist);
    } catch (err) {
      report(target, 'setup', false, (err as Error).message.replace(/\s+/g, ' ').slice(0, 600));
    }
  }
  if (values.keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
  const failed = lines.filter((l) => !l.ok).length;
  console.log(failed ? `${failed} check(s) failed.` : 'All compatibility checks passed.');
  return failed ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2))
    .then((code) => process.exit(code))
    .catch((err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exit(2);
    });
}
