/**
 * The built bundle loaded as Back4App loads it - a fresh node process (no tsx, no Jest) with
 * express and parse-server loaded first and the globals `app` and `Parse` set - through the same
 * loader `npm run bench -- bundle` times (scripts/bench/bench-bundle-load.ts). main.js and app.js load
 * one shared chunk between them, register their routes, and read the lazily loaded modules only
 * when those are needed: ioredis.js with REDIS_URL, mcp-ajv.js never at load.
 */
import { transform } from 'esbuild';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { build, ROOT } from '../../scripts/build/build';
import { harness } from '../harness/env';

const run = promisify(execFile);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'bundle-load-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Loaded {
  loaded: string[];
  routes: number;
}

async function load(files: string[], env: Record<string, string> = {}): Promise<Loaded> {
  const loader = path.join(tmp, 'load.cjs');
  const source = readFileSync(path.join(ROOT, 'scripts/bench/bench-bundle-load.ts'), 'utf8');
  writeFileSync(loader, (await transform(source, { loader: 'ts', format: 'cjs' })).code);
  const { stdout } = await run(process.execPath, ['--expose-gc', loader], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      PUBLIC_URL: 'https://load-test.b4a.app',
      SECRET_KEY: randomBytes(32).toString('base64url'),
      ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
      AIRTABLE_CLIENT_ID: 'load-test',
      BENCH_ROOT: ROOT,
      BENCH_DIST: harness().distDir,
      BENCH_LOAD: files.join(','),
      ...env,
    },
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Loaded;
}

const shared = /^shared-[A-Z0-9]+\.js$/;

/** The output chunks (file names) whose inputs include a path matching `input` (esbuild's metafile). */
function chunksWith(input: RegExp): string[] {
  const meta = JSON.parse(readFileSync(path.join(harness().distDir, 'metafile.json'), 'utf8')) as {
    outputs: Record<string, { inputs: Record<string, unknown> }>;
  };
  return Object.entries(meta.outputs)
    .filter(([out, o]) => out.endsWith('.js') && Object.keys(o.inputs).some((i) => input.test(i)))
    .map(([out]) => path.basename(out));
}

/** Loaded on first use only (cloud/mcp/runtime.ts, cloud/http/rate-limit.ts): never at start-up. */
const LAZY_AT_START = [/^cloud\/mcp\/runtime\.ts$/, /node_modules\/express-rate-limit\//];

it('main.js + app.js load shared chunks, register the routes, and read no lazy module', async () => {
  const r = await load(['main.js', 'app.js']);
  expect(r.loaded.filter((f) => !shared.test(f))).toEqual(['app.js', 'main.js']);
  expect(r.loaded.filter((f) => shared.test(f)).length).toBeGreaterThanOrEqual(1);
  expect(r.routes).toBeGreaterThan(10);
});

it('app.js alone loads too (Back4App may load it before or without main.js)', async () => {
  const r = await load(['app.js']);
  expect(r.loaded.filter((f) => !shared.test(f))).toEqual(['app.js']);
  expect(r.routes).toBeGreaterThan(10);
});

it('the MCP server, tools and transport, and express-rate-limit, are not loaded at start-up', async () => {
  const r = await load(['main.js', 'app.js']);
  for (const input of LAZY_AT_START) {
    const chunks = chunksWith(input);
    // Each sits in a chunk of its own that the entries do not require at load.
    expect({ input: String(input), chunks }).toEqual({
      input: String(input),
      chunks: [expect.stringMatching(shared)],
    });
    expect(r.loaded).not.toContain(chunks[0]);
  }
});

it('minified, classes and functions keep their names (error names, constructor.name)', async () => {
  const cloud = path.join(harness().distDir, 'cloud');
  // The chunk holding the HTTP errors (shared by both entries).
  const chunk = chunksWith(/^cloud\/http\/errors\.ts$/)[0] ?? '(none)';
  expect(readdirSync(cloud)).toContain(chunk);
  const script = `
    const m = require(${JSON.stringify(path.join(cloud, chunk))});
    const named = Object.entries(m).filter(([, v]) => typeof v === 'function');
    console.log(JSON.stringify({
      mismatched: named.filter(([k, v]) => /^[A-Z]/.test(k) && v.name !== k).map(([k, v]) => k + '=' + v.name),
      classes: named.filter(([k]) => /Error$/.test(k)).map(([k]) => k),
      httpError: new m.HttpError(400, 'invalid_request', 'bad').constructor.name,
    }));`;
  const { stdout } = await run(process.execPath, ['-e', script], {
    cwd: tmp,
    env: { PATH: process.env.PATH, LOG_LEVEL: 'silent' },
    timeout: 30_000,
  });
  const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
    mismatched: string[];
    classes: string[];
    httpError: string;
  };
  expect(r.mismatched).toEqual([]);
  expect(r.classes).toEqual(expect.arrayContaining(['HttpError', 'StorageUnavailableError']));
  expect(r.httpError).toBe('HttpError');
});

it('reads ioredis.js when REDIS_URL is set', async () => {
  // Nothing listens on port 9: the cache only opens its connection, which loads ioredis.
  const r = await load(['main.js', 'app.js'], { REDIS_URL: 'redis://127.0.0.1:9' });
  expect(r.loaded).toContain('ioredis.js');
  expect(r.loaded).not.toContain('mcp-ajv.js');
});

it("the MCP SDK's Ajv validator stand-in loads mcp-ajv.js on first use and validates as Ajv does", async () => {
  const dist = path.join(tmp, 'probe');
  await build(dist, { probe: path.join(ROOT, 'test/fixtures/ajv-probe.ts') });
  const probe = path.join(dist, 'cloud', 'probe.js');
  const script = `
    const { AjvJsonSchemaValidator } = require(${JSON.stringify(probe)});
    const lazy = () => Object.keys(require.cache).some((f) => f.endsWith('mcp-ajv.js'));
    const v = new AjvJsonSchemaValidator();
    const before = lazy();
    const check = v.getValidator({ type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] });
    console.log(JSON.stringify({ before, after: lazy(), name: AjvJsonSchemaValidator.name,
      ok: check({ n: 1 }), bad: check({ n: 'x' }) }));`;
  const { stdout } = await run(process.execPath, ['-e', script], { cwd: tmp, timeout: 30_000 });
  const r = JSON.parse(stdout) as {
    before: boolean;
    after: boolean;
    name: string;
    ok: { valid: boolean };
    bad: { valid: boolean; errorMessage: string };
  };
  expect(r).toMatchObject({ before: false, after: true, name: 'AjvJsonSchemaValidator' });
  expect(r.ok.valid).toBe(true);
  expect(r.bad.valid).toBe(false);
  expect(r.bad.errorMessage).toMatch(/must be integer/);
});

it('a rebuild into the same folder replaces the files and removes what an earlier build left', async () => {
  const dist = path.join(tmp, 'rebuild');
  const entry = { probe: path.join(ROOT, 'test/fixtures/ajv-probe.ts') };
  const first = await build(dist, entry);
  mkdirSync(path.join(dist, 'cloud', 'keep-dir'));
  writeFileSync(path.join(dist, 'cloud', 'shared-STALE.js'), 'stale');
  writeFileSync(path.join(dist, 'sourcemaps', 'shared-STALE.js.map'), '{}');
  const second = await build(dist, entry);
  expect(second.files).toEqual(first.files);
  const cloudFiles = readdirSync(path.join(dist, 'cloud')).sort();
  expect(cloudFiles).toEqual([...first.files.map((f) => path.basename(f)), 'keep-dir'].sort());
  expect(readdirSync(path.join(dist, 'sourcemaps'))).not.toContain('shared-STALE.js.map');
});

it('a static import of a lazily loaded module fails the build', async () => {
  const entry = path.join(tmp, 'static-ioredis.ts');
  writeFileSync(entry, "import { Redis } from 'ioredis';\nexport const R = Redis;\n");
  await expect(build(path.join(tmp, 'static'), { bad: entry })).rejects.toThrow(
    /ioredis is loaded only when needed/,
  );
});
