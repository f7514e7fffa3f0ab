/**
 * The deployable bundle (the harness's build, the same as `b4a deploy` uploads): every file under
 * cloud/ is minified CommonJS that never loads express or parse/node (globals on Back4App),
 * main.js and app.js share their common code through chunks (some loaded only on first use:
 * test/unit/bundle-load.test.ts), source maps stay outside cloud/,
 * and what scripts/build/build-plugins.ts leaves out is really out (esbuild's metafile says what is in).
 */
import type { Metafile } from 'esbuild';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PRUNED, LAZY_MODULES } from '../../scripts/build/build-plugins';
import { harness } from '../harness/env';

const dist = harness().distDir;
const cloud = path.join(dist, 'cloud');
const files = readdirSync(cloud).sort();
const lazyFiles = LAZY_MODULES.map((m) => m.file);
const sharedChunks = files.filter((f) => /^shared-[A-Z0-9]+\.js$/.test(f));
const meta = JSON.parse(readFileSync(path.join(dist, 'metafile.json'), 'utf8')) as Metafile;
const read = (file: string) => readFileSync(path.join(cloud, file), 'utf8');

/** Any call with the module name as its only argument: require("x") or a renamed alias of it. */
const loads = (name: string) =>
  new RegExp(`(?<![\\w$.])[A-Za-z_$][\\w$]*\\(\\s*["']${name.replace('/', '\\/')}["']\\s*\\)`);

it('cloud/ holds the two entries, shared chunks and the lazily loaded modules - nothing else', () => {
  expect(files).toEqual(['app.js', ...lazyFiles, 'main.js', ...sharedChunks].sort());
  expect(sharedChunks.length).toBeGreaterThanOrEqual(1);
});

describe.each(files)('dist/cloud/%s', (file) => {
  const code = read(file);
  it('does not load express', () => {
    expect(code).not.toMatch(loads('express'));
  });
  it('does not load parse or parse/node', () => {
    expect(code).not.toMatch(loads('parse'));
    expect(code).not.toMatch(loads('parse/node'));
  });
  it('is minified CommonJS', () => {
    expect(code).toMatch(/module\.exports|require\(/);
    expect(code).not.toMatch(/^\s*(import|export)\s[^(]/m);
    // Minified: a few long lines (template literals, such as the Redis Lua scripts, keep theirs).
    expect(code.split('\n').length).toBeLessThan(code.length / 500 + 5);
    expect(code).not.toMatch(/\n {2}(function|const|let|return) /);
  });
  it('points at its source map in dist/sourcemaps/ (not uploaded), which maps to the sources', () => {
    expect(code.trimEnd().split('\n').at(-1)).toBe(
      `//# sourceMappingURL=../sourcemaps/${file}.map`,
    );
    const map = JSON.parse(readFileSync(path.join(dist, 'sourcemaps', `${file}.map`), 'utf8')) as {
      sources: string[];
    };
    expect(map.sources.length).toBeGreaterThan(0);
    // The entries are our code; a chunk may hold only node_modules code (express-rate-limit).
    if (file === 'main.js' || file === 'app.js')
      expect(map.sources.some((s) => /(^|\/)cloud\/[\w/-]+\.ts$/.test(s))).toBe(true);
  });
});

it('every shared chunk is required by an entry or another chunk; only lazy code requires the lazy files', () => {
  for (const chunk of sharedChunks)
    expect(files.filter((f) => read(f).includes(`require("./${chunk}")`))).not.toEqual([]);
  // main.js and app.js share code: at least one chunk is required by both.
  expect(
    sharedChunks.filter((c) =>
      ['main.js', 'app.js'].every((e) => read(e).includes(`require("./${c}")`)),
    ),
  ).not.toEqual([]);
  for (const lazy of lazyFiles) {
    const requiredBy = files.filter((f) => read(f).includes(`require("./${lazy}")`));
    expect(requiredBy.length).toBe(1);
  }
});

it('keeps no source map under cloud/ or public/ (b4a uploads both)', () => {
  const publicFiles = existsSync(path.join(dist, 'public'))
    ? readdirSync(path.join(dist, 'public'))
    : [];
  expect([...files, ...publicFiles].filter((f) => f.endsWith('.map'))).toEqual([]);
});

describe("what esbuild's metafile says is inside", () => {
  const inputs = Object.values(meta.outputs).flatMap((o) => Object.keys(o.inputs));
  const imports = Object.values(meta.outputs).flatMap((o) => o.imports.map((i) => i.path));

  it('no lazily loaded module is inside main.js, app.js or a shared chunk', () => {
    expect(
      inputs.filter((i) => /node_modules\/(ioredis|@ioredis|ajv|ajv-formats)\//.test(i)),
    ).toEqual([]);
    expect(imports).toEqual(expect.arrayContaining(lazyFiles.map((f) => `./${f}`)));
  });

  it('carries English zod messages only, and none of the pruned code', () => {
    const locales = inputs.filter((i) => i.includes('node_modules/zod/v4/locales/'));
    expect(locales).toEqual(['node_modules/zod/v4/locales/en.js']);
    expect(
      inputs.filter((i) =>
        /node_modules\/(zod-to-json-schema\/|zod\/v3\/|zod\/v4\/classic\/from-json-schema)/.test(i),
      ),
    ).toEqual([]);
    expect(inputs.filter((i) => i.startsWith('pruned:'))).toHaveLength(PRUNED.length);
  });

  it('no output imports express or parse', () => {
    expect(imports.filter((i) => /^(express|parse)(\/|$)/.test(i))).toEqual([]);
  });
});

it('the product never asks zod for another locale (the build carries English only)', () => {
  const source = readdirSync(path.resolve(__dirname, '../../cloud'), {
    recursive: true,
    encoding: 'utf8',
  })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(path.resolve(__dirname, '../../cloud', f), 'utf8'))
    .join('\n');
  expect(source).not.toMatch(/\blocales\b/);
});
