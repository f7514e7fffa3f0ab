/**
 * `npm run build [-- --analyze [--why]]`: bundles Cloud Code with esbuild into dist/cloud/ - exactly what
 * `b4a deploy` uploads (every file under cloud/ and public/):
 *
 *   cloud/main.js, cloud/app.js   the two entries Back4App loads (docs/architecture.md)
 *   cloud/shared-<hash>.js        code the entries share (zod, pino, storage, the OAuth server
 *                                 store...): loaded once when both run in one process; and the
 *                                 chunks of import()ed modules, loaded on first use (the MCP
 *                                 runtime, express-rate-limit)
 *   cloud/ioredis.js              required only when REDIS_URL is set
 *   cloud/mcp-ajv.js              required only if the MCP SDK validates an elicitation answer
 *                                 (never: see LAZY_MODULES in scripts/build/build-plugins.ts)
 *
 * Minified CommonJS for node18 (Back4App's Node version is UNVERIFIED). `parse` and `express`
 * stay external because Back4App provides them as globals, and no output may import them at all
 * (checked here from esbuild's metafile, and by the tests and the deploy dry run). Source maps go
 * to dist/sourcemaps/ (not uploaded: b4a takes only cloud/ and public/); each bundle ends with a
 * sourceMappingURL pointing there, so `node --enable-source-maps` (locally) shows TypeScript lines.
 * dist/metafile.json is esbuild's record of what is inside and why (`--analyze` prints it).
 *
 * `npm start` calls buildIfStale(): nothing is rebuilt while every source the last build read
 * (esbuild's metafile, kept in dist/.build-stamp.json - outside cloud/ and public/, the folders
 * `b4a deploy` uploads) is unchanged.
 */
import { analyzeMetafile, build as esbuild, type Metafile } from 'esbuild';
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TARGET, toCommonJs } from './build-cjs';
import { LAZY_MODULES, lazyModulesPlugin, prunePlugin } from './build-plugins';
import { isFresh, ROOT as PROJECT_ROOT, writeStamp } from './build-cache.cjs';

// Found from package.json, not __dirname: this file also runs bundled (scripts/run.cjs).
export const ROOT = PROJECT_ROOT;
export const DIST = path.join(ROOT, 'dist');

const stampFile = (outDir: string) => path.join(outDir, '.build-stamp.json');

/** The two files Back4App loads from cloud/ (docs/architecture.md, "How it works"). */
export const ENTRY_POINTS: Readonly<Record<string, string>> = {
  main: path.join(ROOT, 'cloud/main.ts'),
  app: path.join(ROOT, 'cloud/app.ts'),
};

/** Back4App provides these as globals (platform-facts.md): no bundle may load them. */
export const PLATFORM_MODULES = ['parse', 'parse/node', 'express'] as const;

export interface BuildResult {
  /** Every file written under cloud/, relative to the working directory's view of outDir. */
  files: string[];
  ms: number;
  /** esbuild's metafile of the Cloud Code step (the lazy packages are built on their own). */
  metafile: Metafile;
}

export class BuildError extends Error {
  override name = 'BuildError';
}

/** Fails when any output imports a platform module (a static import would crash on load). */
function assertNoPlatformImports(meta: Metafile): void {
  const found: string[] = [];
  for (const [out, o] of Object.entries(meta.outputs))
    for (const i of o.imports)
      if ((PLATFORM_MODULES as readonly string[]).includes(i.path))
        found.push(`${path.basename(out)} imports ${i.path} (${i.kind})`);
  if (found.length)
    throw new BuildError(
      `${found.join('; ')}: Back4App provides Parse and the Express app as globals - use the global, and import only types`,
    );
}

interface Built {
  name: string;
  code: string;
  map: string;
}

/** Replaces `file` in one step: a process loading the bundle never sees a half-written file. */
function writeAtomically(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/**
 * Writes the files, entries last, then removes what an earlier build left (a chunk of other
 * contents would be uploaded too). Never empties the folder first: `npm start` and the tests may
 * build into the same dist/ while another process loads it, and the same sources always give the
 * same file names.
 */
function writeBuild(outDir: string, files: Built[], entries: string[]): string[] {
  const cloudDir = path.join(outDir, 'cloud');
  const mapsDir = path.join(outDir, 'sourcemaps');
  for (const dir of [cloudDir, mapsDir]) mkdirSync(dir, { recursive: true });
  const ordered = [
    ...files.filter((f) => !entries.includes(f.name)),
    ...files.filter((f) => entries.includes(f.name)),
  ];
  for (const f of ordered) {
    writeAtomically(path.join(mapsDir, `${f.name}.map`), f.map);
    writeAtomically(
      path.join(cloudDir, f.name),
      `${f.code}//# sourceMappingURL=../sourcemaps/${f.name}.map\n`,
    );
  }
  const names = new Set(files.map((f) => f.name));
  for (const [dir, suffix] of [
    [cloudDir, ''],
    [mapsDir, '.map'],
  ] as const)
    for (const entry of readdirSync(dir))
      if (
        entry.endsWith(`.js${suffix}`) &&
        !names.has(entry.slice(0, entry.length - suffix.length))
      )
        rmSync(path.join(dir, entry), { force: true });
  return ordered.map((f) => f.name);
}

/**
 * Builds into `outDir` (default dist/; the tests build into a private folder so runs never race).
 * `entryPoints` is for tests of the build itself.
 */
export async function build(outDir = DIST, entryPoints = ENTRY_POINTS): Promise<BuildResult> {
  const started = Date.now();
  const cloudDir = path.join(outDir, 'cloud');
  const split = await esbuild({
    entryPoints: { ...entryPoints },
    outdir: cloudDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    chunkNames: 'shared-[hash]',
    platform: 'node',
    target: TARGET,
    external: [...PLATFORM_MODULES],
    plugins: [prunePlugin(), lazyModulesPlugin()],
    // Minified in the CommonJS step; keepNames here pins function and class names first.
    keepNames: true,
    sourcemap: 'external',
    metafile: true,
    write: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  assertNoPlatformImports(split.metafile);
  const built: Built[] = [];
  for (const out of split.outputFiles) {
    if (out.path.endsWith('.map')) continue;
    const name = path.basename(out.path);
    const map = split.outputFiles.find((f) => f.path === `${out.path}.map`);
    if (!map) throw new BuildError(`esbuild wrote no source map for ${name}`);
    built.push({ name, ...(await toCommonJs(out.text, map.text, name)) });
  }

  for (const lazyModule of LAZY_MODULES) {
    const lazy = await esbuild({
      stdin: {
        contents: `module.exports = require(${JSON.stringify(lazyModule.module)});`,
        resolveDir: ROOT,
      },
      bundle: true,
      platform: 'node',
      target: TARGET,
      format: 'cjs',
      minify: true,
      keepNames: true,
      sourcemap: 'external',
      outfile: path.join(cloudDir, lazyModule.file),
      write: false,
      legalComments: 'none',
      logLevel: 'warning',
    });
    const code = lazy.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
    const map = lazy.outputFiles.find((f) => f.path.endsWith('.map'))!.text;
    built.push({
      name: lazyModule.file,
      code: code.replace(/\/\/# sourceMappingURL=.*\n?$/, ''),
      map,
    });
  }
  const written = writeBuild(
    outDir,
    built,
    Object.keys(entryPoints).map((e) => `${e}.js`),
  );

  writeAtomically(path.join(outDir, 'metafile.json'), JSON.stringify(split.metafile));
  // b4a deploy uploads cloud/ and public/; an empty public/ keeps the layout explicit.
  mkdirSync(path.join(outDir, 'public'), { recursive: true });
  writeFileSync(path.join(outDir, 'public', '.keep'), '');
  // The lazy packages come from node_modules: package-lock.json stands for them.
  writeStamp(
    stampFile(outDir),
    split.metafile,
    written.map((f) => path.join(cloudDir, f)),
    [
      'scripts/build/build.ts',
      'scripts/build/build-cjs.ts',
      'scripts/build/build-plugins.ts',
      'package-lock.json',
    ],
  );
  const rel = path.relative(ROOT, outDir) || '.';
  return {
    files: written.map((f) => `${rel}/cloud/${f}`).sort(),
    ms: Date.now() - started,
    metafile: split.metafile,
  };
}

/** Builds unless the last build's sources are all unchanged; `built` says which happened. */
export async function buildIfStale(outDir = DIST): Promise<{ built: boolean; ms: number }> {
  const started = Date.now();
  if (isFresh(stampFile(outDir))) return { built: false, ms: Date.now() - started };
  await build(outDir);
  return { built: true, ms: Date.now() - started };
}

export async function main(): Promise<number> {
  try {
    const { files, ms, metafile } = await build();
    console.log(`built ${files.join(', ')} in ${ms} ms`);
    if (process.argv.includes('--analyze'))
      console.log(await analyzeMetafile(metafile, { verbose: process.argv.includes('--why') }));
    return 0;
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    return 1;
  }
}

if (require.main === module) void main().then((code) => process.exit(code));
