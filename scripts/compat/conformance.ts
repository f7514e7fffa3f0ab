/**
 * `npm run test:conformance [-- --scenario a,b] [--verbose]`
 *
 * Runs every server scenario of the official MCP conformance suite
 * (@modelcontextprotocol/conformance, a pinned devDependency: nothing is downloaded at run time)
 * against a locally started server: the built bundle on its own stack (embedded PostgreSQL, the
 * Airtable fake with one user, PAT and base), signed in through POST /api/auth/direct. The suite's
 * CLI cannot send headers, so it talks to a small pass-through proxy that adds
 * `Authorization: Bearer <session>` and forwards everything else untouched (Host and Origin
 * included, so dns-rebinding-protection still reaches our check); PUBLIC_URL is the proxy's origin,
 * as behind any reverse proxy.
 *
 * Every scenario the suite lists is classified in EXPECTED (scripts/compat/conformance-expected.ts):
 * `pass` (a feature we declare: it must pass), or `n/a` with the reason (the suite's own fixture
 * tools/resources/prompts, or server-to-client requests and notifications that a stateless JSON
 * server cannot send). Exit 1 when a `pass` scenario fails or the suite lists a scenario nobody has
 * classified yet; an `n/a` scenario is still run and its result printed, so a change shows.
 *
 * The suite is built for Node 22; on Node 20 it is loaded through scripts/compat/conformance-node20.mjs
 * (one import that only its report command uses). Its output and temporary files go to a folder
 * under .data/tmp, removed at the end.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs, { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startFakeAirtable } from '../../fake-airtable/server';
import { ROOT } from '../build/build-cache.cjs';
import { build } from '../build/build';
import { EXPECTED, type Expectation } from './conformance-expected';
import { projectTempDir } from '../dev/project-temp';
import { bindHttp, startEmbeddedPostgres, startStack } from '../dev/stack';

const SUITE_PACKAGE = '@modelcontextprotocol/conformance';

type Verdict = 'PASS' | 'WARN' | 'FAIL';

interface Check {
  id: string;
  status: string;
  description?: string;
  errorMessage?: string;
}

interface Suite {
  /** node and its leading arguments (the Node 20 hook when needed). */
  command: string[];
  cli: string;
  version: string;
  tmp: string;
}

/** The suite from node_modules (devDependency), run by this very node. */
function findSuite(tmp: string): Suite {
  const pkgFile = path.join(ROOT, 'node_modules', ...SUITE_PACKAGE.split('/'), 'package.json');
  if (!existsSync(pkgFile))
    throw new Error(`${SUITE_PACKAGE} is not installed: run npm ci (it is a devDependency).`);
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as {
    version: string;
    bin: Record<string, string>;
  };
  const cli = path.join(path.dirname(pkgFile), pkg.bin.conformance ?? 'dist/index.js');
  // fs.globSync arrived in Node 22 (see conformance-node20.mjs).
  const needsHook = typeof (fs as { globSync?: unknown }).globSync !== 'function';
  const hook = path.join(ROOT, 'scripts', 'compat', 'conformance-node20.mjs');
  return {
    command: [process.execPath, ...(needsHook ? ['--import', hook] : [])],
    cli,
    version: pkg.version,
    tmp,
  };
}

/** The suite's environment: its temporary files in our folder, never the system's. */
function suiteEnv(suite: Suite): NodeJS.ProcessEnv {
  return { ...process.env, TMPDIR: suite.tmp, NO_COLOR: '1' };
}

/** Forwards every request to the server as is, adding the session when no Authorization is sent. */
/** Listens on a port the OS picks; forwards to `target` once it is set. */
async function startProxy(): Promise<{
  server: http.Server;
  port: number;
  target: { port: number; session: string };
}> {
  const target = { port: 0, session: '' };
  const proxy = http.createServer((req, res) => {
    const upstreamPort = target.port;
    const headers = { ...req.headers };
    headers.authorization ??= `Bearer ${target.session}`;
    const upstream = http.request(
      { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end(`proxy: ${err.message}`);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()));
  return { server: proxy, port: (proxy.address() as { port: number }).port, target };
}

/** Runs one scenario with the suite's CLI; its checks come from the output folder. */
async function runScenario(
  suite: Suite,
  url: string,
  scenario: string,
  outRoot: string,
  verbose: boolean,
) {
  const out = path.join(outRoot, scenario);
  const [node, ...nodeArgs] = suite.command;
  const child = spawn(
    node!,
    [...nodeArgs, suite.cli, 'server', '--url', url, '--scenario', scenario, '-o', out],
    { cwd: outRoot, env: suiteEnv(suite), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
  if (verbose) console.log(log);
  const checks: Check[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'checks.json')
        checks.push(...(JSON.parse(readFileSync(p, 'utf8')) as Check[]));
    }
  };
  walk(out);
  const failed = checks.some((c) => c.status === 'FAILURE');
  const succeeded = checks.filter((c) => c.status === 'SUCCESS').length;
  // Only warnings (e.g. SSE polling against a stateless server): neither passed nor failed.
  const verdict: Verdict =
    code !== 0 || failed || checks.length === 0 ? 'FAIL' : succeeded === 0 ? 'WARN' : 'PASS';
  return { verdict, checks, succeeded, log };
}

function listScenarios(suite: Suite): string[] {
  const [node, ...nodeArgs] = suite.command;
  const res = spawnSync(node!, [...nodeArgs, suite.cli, 'list'], {
    encoding: 'utf8',
    env: suiteEnv(suite),
  });
  if (res.status !== 0) throw new Error(`conformance list failed: ${res.stderr}`);
  const server = res.stdout.split(/Client scenarios/)[0] ?? '';
  return [...server.matchAll(/^\s+- (\S+)/gm)].map((m) => m[1]!);
}

/**
 * The server under test on its own stack: a fake Airtable with one user, PAT and base; embedded
 * PostgreSQL; the bundle; a session from the PAT; and the proxy in front. Returns the MCP URL.
 */
async function startTarget(
  dataDir: string,
  verbose: boolean,
  stoppers: (() => Promise<unknown>)[],
) {
  const distDir = path.join(dataDir, 'dist');
  await build(distDir);
  const fake = await startFakeAirtable({ port: 0 });
  stoppers.unshift(() => fake.stop());
  const user = fake.admin.createUser({ email: 'conformance@example.com' });
  fake.admin.createBase({
    name: 'Conformance base',
    ownerUserIds: [user.id],
    tables: [{ name: 'Tasks', fields: [{ name: 'Name', type: 'singleLineText' }] }],
  });
  const { token: pat } = fake.admin.createPat({
    userId: user.id,
    scopes: ['data.records:read', 'data.records:write', 'schema.bases:read'],
    bases: 'all',
  });

  // Every port is bound where it is chosen (port 0): nothing to race for.
  const proxy = await startProxy();
  stoppers.unshift(() => new Promise((r) => proxy.server.close(r)));
  const proxyPort = proxy.port;
  const early = await bindHttp(0);
  const keys = {
    appId: 'conformance',
    masterKey: randomBytes(16).toString('hex'),
    restApiKey: randomBytes(16).toString('hex'),
  };
  // Read by the bundle when startStack loads it.
  Object.assign(process.env, {
    NODE_ENV: 'test',
    LOG_LEVEL: verbose ? 'info' : 'silent',
    PUBLIC_URL: `http://localhost:${proxyPort}`,
    SECRET_KEY: randomBytes(32).toString('base64url'),
    ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    AIRTABLE_API_BASE_URL: fake.url,
    AIRTABLE_CONTENT_BASE_URL: fake.contentUrl,
    AIRTABLE_OAUTH_BASE_URL: fake.url,
  });
  const pg = await startEmbeddedPostgres(dataDir);
  stoppers.unshift(() => pg.stop());
  const stack = await startStack({
    server: early,
    databaseUri: pg.uri,
    dataDir,
    distDir,
    ...keys,
    javascriptKey: keys.restApiKey,
    silent: true,
  });
  stoppers.unshift(() => stack.stop());

  const signIn = await fetch(`${stack.url}/api/auth/direct`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ api_key: pat, platform: 'conformance' }),
  });
  if (signIn.status !== 200)
    throw new Error(`direct sign-in: ${signIn.status} ${await signIn.text()}`);
  const { session_id: session } = (await signIn.json()) as { session_id: string };
  Object.assign(proxy.target, { port: stack.port, session });
  return `http://localhost:${proxyPort}/mcp`;
}

/** One line per scenario; whether it went as EXPECTED says. */
function judge(scenario: string, expected: Expectation | undefined, verdict: Verdict): string {
  if (!expected) return 'UNCLASSIFIED (add it to scripts/compat/conformance-expected.ts)';
  if (expected.kind === 'pass') return verdict === 'PASS' ? 'passed' : 'FAILED';
  return `not applicable: ${expected.why}`;
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string' },
      verbose: { type: 'boolean' },
    },
  });
  const verbose = values.verbose === true;
  const dataDir = projectTempDir('conformance');
  const suite = findSuite(path.join(dataDir, 'tmp'));
  fs.mkdirSync(suite.tmp);
  const stoppers: (() => Promise<unknown>)[] = [];
  try {
    const listed = listScenarios(suite);
    const scenarios = values.scenario ? values.scenario.split(',') : listed;
    const url = await startTarget(dataDir, verbose, stoppers);
    console.log(`MCP conformance (${SUITE_PACKAGE}@${suite.version}) against ${url}`);
    let bad = 0;
    const counts = { passed: 0, na: 0, bad: 0 };
    for (const scenario of scenarios) {
      const expected = EXPECTED[scenario];
      const r = await runScenario(suite, url, scenario, dataDir, verbose);
      const outcome = judge(scenario, expected, r.verdict);
      const wrong = !expected || (expected.kind === 'pass' && r.verdict !== 'PASS');
      if (wrong) bad++;
      counts[wrong ? 'bad' : expected.kind === 'pass' ? 'passed' : 'na']++;
      // The first column is our verdict; the suite's own count of passed checks follows.
      const label = wrong ? 'FAIL' : expected.kind === 'pass' ? 'PASS' : 'N/A ';
      console.log(
        `${label}  ${scenario.padEnd(30)} suite: ${r.verdict.padEnd(4)} ${String(r.succeeded).padStart(2)}/${String(r.checks.length).padEnd(2)} checks  ${outcome}`,
      );
      if (wrong || verbose)
        for (const c of r.checks.filter((x) => x.status === 'FAILURE' || x.status === 'WARNING'))
          console.log(
            `      ${c.status.toLowerCase()} ${c.id}: ${c.errorMessage ?? c.description ?? ''}`,
          );
      if (r.checks.length === 0) console.log(r.log.trim().split('\n').slice(-5).join('\n'));
    }
    const stale = Object.keys(EXPECTED).filter((s) => !listed.includes(s));
    if (stale.length) console.log(`classified but no longer in the suite: ${stale.join(', ')}`);
    console.log(
      `${scenarios.length} scenarios: ${counts.passed} passed, ${counts.na} not applicable, ${counts.bad} failed or unclassified`,
    );
    return bad === 0 ? 0 : 1;
  } finally {
    for (const stop of stoppers) await stop().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
