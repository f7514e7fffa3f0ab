/**
 * `npm run test:conformance [-- --scenario a,b] [--all] [--verbose]`
 *
 * Runs the official MCP conformance suite (@modelcontextprotocol/conformance, server mode) against
 * a locally started server: the built bundle on its own stack (embedded PostgreSQL, the Airtable
 * fake with one user, PAT and base), signed in through POST /api/auth/direct. The suite's CLI
 * cannot send headers, so it talks to a small pass-through proxy that adds
 * `Authorization: Bearer <session>` and forwards everything else untouched (Host and Origin
 * included, so dns-rebinding-protection still reaches our check); PUBLIC_URL is the proxy's origin,
 * as behind any reverse proxy.
 *
 * The suite needs Node 22 (fs.globSync): `node@22` (npm's Node binaries) and the suite are
 * installed at run time into a cache folder under the system temp dir, never into the repository.
 *
 * Required scenarios (exit 1 if any fails): server-initialize, ping, tools-list,
 * dns-rebinding-protection, resources-list, prompts-list. `--all` also runs every other active
 * server scenario and reports it (most exercise the suite's own fixtures or features this server
 * does not offer: sampling, elicitation, subscriptions ...).
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startFakeAirtable } from '../../fake-airtable/server';
import { build } from '../build/build';
import { CACHE_DIR, projectTempDir } from '../dev/project-temp';
import { bindHttp, startEmbeddedPostgres, startStack } from '../dev/stack';

const CONFORMANCE = '@modelcontextprotocol/conformance@0.1.16';
const NODE22 = 'node@22.23.3';
// The suite and Node 22, kept between runs in the project's cache folder.
const CACHE = path.join(CACHE_DIR, 'conformance');
/**
 * resources-list and prompts-list check the generic shape of our resources (one schema per base)
 * and prompts. The suite's other resources/prompts scenarios need its own fixtures
 * (test://static-text, test_simple_prompt...) or subscriptions, which a stateless server does
 * not offer: they do not apply.
 */
const REQUIRED = [
  'server-initialize',
  'ping',
  'tools-list',
  'dns-rebinding-protection',
  'resources-list',
  'prompts-list',
];

type Verdict = 'PASS' | 'WARN' | 'FAIL';

interface Check {
  id: string;
  status: string;
  description?: string;
  errorMessage?: string;
}

interface Suite {
  node: string;
  cli: string;
}

/** Installs the suite and Node 22 into CACHE once; returns the node binary and the CLI. */
function installSuite(): Suite {
  const node = path.join(CACHE, 'node_modules', 'node', 'bin', 'node');
  const cli = path.join(
    CACHE,
    'node_modules',
    '@modelcontextprotocol',
    'conformance',
    'dist',
    'index.js',
  );
  if (existsSync(node) && existsSync(cli)) return { node, cli };
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(
    path.join(CACHE, 'package.json'),
    JSON.stringify({ name: 'conformance-cache', private: true }),
  );
  console.log(`installing ${CONFORMANCE} and ${NODE22} into ${CACHE} ...`);
  // node@22's preinstall script fetches the platform binary package: scripts must run.
  const res = spawnSync(
    'npm',
    ['install', '--prefix', CACHE, CONFORMANCE, NODE22, '--no-audit', '--no-fund'],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  if (res.status !== 0 || !existsSync(node))
    throw new Error(`npm install failed:\n${res.stderr.slice(-2000)}`);
  return { node, cli };
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
  const child = spawn(
    suite.node,
    [suite.cli, 'server', '--url', url, '--scenario', scenario, '-o', out],
    {
      cwd: outRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
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
  const res = spawnSync(suite.node, [suite.cli, 'list'], { encoding: 'utf8' });
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

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string' },
      all: { type: 'boolean' },
      verbose: { type: 'boolean' },
    },
  });
  const verbose = values.verbose === true;
  const suite = installSuite();
  const dataDir = projectTempDir('conformance');
  const stoppers: (() => Promise<unknown>)[] = [];
  try {
    const url = await startTarget(dataDir, verbose, stoppers);
    const required = values.scenario ? values.scenario.split(',') : REQUIRED;
    const extra = values.all ? listScenarios(suite).filter((s) => !required.includes(s)) : [];
    let requiredFailed = 0;
    console.log(`MCP conformance (${CONFORMANCE}) against ${url}`);
    for (const scenario of [...required, ...extra]) {
      const r = await runScenario(suite, url, scenario, dataDir, verbose);
      const isRequired = required.includes(scenario);
      if (isRequired && r.verdict !== 'PASS') requiredFailed++;
      const note = isRequired ? '' : ' (informational)';
      console.log(
        `${r.verdict}  ${scenario.padEnd(30)} ${r.succeeded}/${r.checks.length} checks${note}`,
      );
      for (const c of r.checks.filter((x) => x.status === 'FAILURE' || x.status === 'WARNING'))
        console.log(
          `      ${c.status.toLowerCase()} ${c.id}: ${c.errorMessage ?? c.description ?? ''}`,
        );
      if (r.checks.length === 0) console.log(r.log.trim().split('\n').slice(-5).join('\n'));
    }
    console.log(
      `required scenarios: ${requiredFailed === 0 ? 'all passed' : `${requiredFailed} failed`}`,
    );
    return requiredFailed === 0 ? 0 : 1;
  } finally {
    for (const stop of stoppers) await stop().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
