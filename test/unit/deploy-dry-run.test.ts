/**
 * `npm run deploy -- --dry-run`: passes on a clean build of this repository, and fails on a bundle
 * that leaks a secret value from `.env`, requires a platform global, carries node_modules or
 * outgrows the size limit. Reports never contain a secret value.
 */
import { build as esbuild } from 'esbuild';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  loadBack4AppConfig,
  ROOT,
  type Back4AppConfig,
} from '../../scripts/deploy/back4app-config';
import { deploy } from '../../scripts/deploy/deploy';
import { collectSecretValues } from '../../scripts/deploy/deploy-checks';
import { listUploadFiles } from '../../scripts/deploy/deploy-files';

const config = loadBack4AppConfig();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'deploy-dry-run-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function dryRun(opts: {
  distDir: string;
  rootDir?: string;
  env?: NodeJS.ProcessEnv;
  build?: (outDir: string) => Promise<unknown>;
  config?: Back4AppConfig;
}) {
  const lines: string[] = [];
  const code = await deploy({
    config: opts.config ?? config,
    rootDir: opts.rootDir ?? ROOT,
    distDir: opts.distDir,
    env: opts.env ?? process.env,
    dryRun: true,
    ...(opts.build ? { build: opts.build } : { skipBuild: true }),
    out: (l) => lines.push(l),
  });
  return { code, output: lines.join('\n') };
}

/** A Cloud Code bundle made by esbuild from `source` (both entry files). */
function bundler(source: string, define: Record<string, string> = {}) {
  return async (outDir: string) => {
    const entry = path.join(outDir, 'entry.ts');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(entry, source);
    for (const name of ['main', 'app'])
      await esbuild({
        entryPoints: [entry],
        outfile: path.join(outDir, 'cloud', `${name}.js`),
        bundle: true,
        platform: 'node',
        format: 'cjs',
        external: ['express', 'parse', 'parse/node'],
        define,
        logLevel: 'silent',
      });
    rmSync(entry);
  };
}

describe('deploy --dry-run', () => {
  it('passes on a clean build of this repository, with this machine’s real secrets', async () => {
    const distDir = path.join(tmp, 'clean');
    const { build } = await import('../../scripts/build/build');
    const { code, output } = await dryRun({ distDir, build });
    expect(output).toMatch(/cloud\/main\.js\s+\d/);
    expect(output).toMatch(/cloud\/app\.js\s+\d/);
    // The chunk both entries share, and no source map (those stay in dist/sourcemaps/).
    expect(output).toMatch(/cloud\/shared-[A-Z0-9]+\.js\s+\d/);
    expect(output).toContain('ok   no source maps: none under cloud/ or public/');
    expect(output).toContain('skipped (dotfiles, as b4a does): public/.keep');
    expect(output).toMatch(/ok {3}no secret values: \d+ secret value\(s\)/);
    expect(output).toContain('warn application id');
    expect(output).toContain('"applicationId": "REPLACE_WITH_YOUR_BACK4APP_APPLICATION_ID"');
    expect(code).toBe(0);
  });

  it('fails when a secret from .env leaks into the bundle, naming the variable only', async () => {
    const rootDir = path.join(tmp, 'leak-root');
    mkdirSync(rootDir);
    const secret = `planted-${randomBytes(12).toString('hex')}`;
    writeFileSync(path.join(rootDir, '.env'), `SECRET_KEY=${secret}\nPUBLIC_URL=http://x\n`);
    // The classic leak: an env variable inlined at build time.
    const build = bundler('export const key = process.env.SECRET_KEY;', {
      'process.env.SECRET_KEY': JSON.stringify(secret),
    });
    const { code, output } = await dryRun({
      distDir: path.join(tmp, 'leak'),
      rootDir,
      env: {},
      build,
    });
    expect(code).toBe(1);
    expect(output).toContain(
      'FAIL no secret values: value of SECRET_KEY (from .env) in cloud/app.js; value of SECRET_KEY (from .env) in cloud/main.js',
    );
    expect(output).not.toContain(secret);
  });

  it('finds secrets from the environment and both dev-secrets.json, and ignores short or public ones', () => {
    const rootDir = path.join(tmp, 'sources');
    mkdirSync(path.join(rootDir, '.data', 'sandbox'), { recursive: true });
    writeFileSync(
      path.join(rootDir, '.data', 'dev-secrets.json'),
      JSON.stringify({ PARSE_MASTER_KEY: 'dev-master-key-1', PARSE_APP_ID: 'airtable-mcp-local' }),
    );
    writeFileSync(
      path.join(rootDir, '.data', 'sandbox', 'dev-secrets.json'),
      JSON.stringify({ PARSE_MASTER_KEY: 'sandbox-master-key-1' }),
    );
    const found = collectSecretValues({
      env: { MY_TOKEN: 'tok-123456789', SHORT_KEY: 'abc', PUBLIC_URL: 'https://x.b4a.app' },
      rootDir,
      config,
    });
    expect(found.map((s) => [s.name, s.source])).toEqual([
      ['MY_TOKEN', 'environment'],
      ['PARSE_MASTER_KEY', '.data/dev-secrets.json'],
      ['PARSE_MASTER_KEY', '.data/sandbox/dev-secrets.json'],
    ]);
  });

  it('fails on require("express") and require("parse/node") in the bundle', async () => {
    const build = bundler(
      'const e = require("express"); const p = require("parse/node"); export { e, p };',
    );
    const { code, output } = await dryRun({ distDir: path.join(tmp, 'req'), env: {}, build });
    expect(code).toBe(1);
    expect(output).toMatch(
      /FAIL no require of platform globals: cloud\/app\.js: require\("express"\)/,
    );
    expect(output).toContain('require("parse/node")');
  });

  it('fails on missing entry files, node_modules, source maps and an oversized bundle', async () => {
    const distDir = path.join(tmp, 'bad');
    mkdirSync(path.join(distDir, 'cloud', 'node_modules', 'x'), { recursive: true });
    writeFileSync(path.join(distDir, 'cloud', 'node_modules', 'x', 'index.js'), 'x');
    writeFileSync(path.join(distDir, 'cloud', 'main.js'), 'x'.repeat(2048));
    writeFileSync(path.join(distDir, 'cloud', 'main.js.map'), '{}');
    const { code, output } = await dryRun({
      distDir,
      env: {},
      config: { ...config, maxBundleBytes: 1024 },
    });
    expect(code).toBe(1);
    expect(output).toContain('FAIL entry files: missing cloud/app.js');
    expect(output).toContain('FAIL no node_modules: found cloud/node_modules');
    expect(output).toContain('FAIL no source maps: found cloud/main.js.map');
    expect(output).toContain('FAIL size: 2.0 KiB exceeds maxBundleBytes (1.0 KiB)');
  });
});

describe('listUploadFiles (b4a upload rules)', () => {
  it('uploads cloud/ and public/ only, skipping dotfiles, backups and top-level node_modules', () => {
    const dir = path.join(tmp, 'listing');
    for (const d of ['cloud/lib', 'cloud/.git', 'public/img', 'public/node_modules/y', 'other'])
      mkdirSync(path.join(dir, d), { recursive: true });
    const files = {
      'cloud/main.js': 'a',
      'cloud/lib/x.js': 'bb',
      'cloud/.env': 's',
      'cloud/.git/HEAD': 'h',
      'cloud/main.js~': 'b',
      'cloud/#tmp#': 't',
      'public/index.html': 'ccc',
      'public/img/a.png': 'dddd',
      'public/node_modules/y/z.js': 'z',
      'other/ignored.js': 'o',
      '.parse.local': '{}',
    };
    for (const [p, c] of Object.entries(files)) writeFileSync(path.join(dir, p), c);
    const listing = listUploadFiles(dir);
    expect(listing.files).toEqual([
      { path: 'cloud/lib/x.js', bytes: 2 },
      { path: 'cloud/main.js', bytes: 1 },
      { path: 'public/img/a.png', bytes: 4 },
      { path: 'public/index.html', bytes: 3 },
    ]);
    expect(listing.totalBytes).toBe(10);
    expect(listing.nodeModules).toEqual(['public/node_modules']);
    expect(listing.skipped).toEqual(['cloud/#tmp#', 'cloud/.env', 'cloud/.git', 'cloud/main.js~']);
  });
});
