/**
 * `npm run build [-- --analyze]`: bundles Cloud Code with esbuild into dist/cloud/ - exactly what
 * `b4a deploy` uploads (every file under cloud/ and public/):
 *
 *   cloud/main.js, cloud/app.js   the two entries Back4App loads (README, "How it works")
 *   cloud/shared-<hash>.js        what both use (zod, pino, storage, the OAuth server store...),
 *                                 required by both: loaded once when both run in one process
 *   cloud/ioredis.js              required only when REDIS_URL is set
 *   cloud/mcp-ajv.js              required only if the MCP SDK validates an elicitation answer
 *                                 (never: see LAZY_MODULES in scripts/build-plugins.ts)
 *
 * Minified CommonJS for node18 (Back4App's Node version is UNVERIFIED). `parse` and `express`
 * stay external because Back4App provides them as globals, and no output may import them at all
 * (checked here from esbuild's metafile, and by the tests and the deploy dry run). Source maps go
 * to dist/sourcemaps/ (not uploaded: b4a takes only cloud/ and public/); each bundle ends with a
 * sourceMappingURL pointing there, so `node --enable-source-maps` (locally) shows TypeScript lines.
 * dist/metafile.json is esbuild's record of what is inside and why (`--analyze` prints it).
 */
import { analyzeMetafile, build as esbuild, type Metafile } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TARGET, toCommonJs } from './build-cjs';
import { LAZY_MODULES, lazyModulesPlugin, prunePlugin } from './build-plugins';

export const ROOT = path.resolve(__dirname, '..');
export const DIST = path.join(ROOT, 'dist');

/** The two files Back4App loads from cloud/ (README, "How it works"). */
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

function writeBundle(outDir: string, name: string, result: { code: string; map: string }): string {
  const file = path.join(outDir, 'cloud', name);
  writeFileSync(file, `${result.code}//# sourceMappingURL=../sourcemaps/${name}.map\n`);
  writeFileSync(path.join(outDir, 'sourcemaps', `${name}.map`), result.map);
  return file;
}

/**
 * Builds into `outDir` (default dist/; the tests build into a private folder so runs never race).
 * `entryPoints` is for tests of the build itself.
 */
export async function build(outDir = DIST, entryPoints = ENTRY_POINTS): Promise<BuildResult> {
  const started = Date.now();
  const cloudDir = path.join(outDir, 'cloud');
  // A fresh folder: a chunk of an earlier build left here would be uploaded too.
  for (const dir of ['cloud', 'sourcemaps']) {
    rmSync(path.join(outDir, dir), { recursive: true, force: true });
    mkdirSync(path.join(outDir, dir), { recursive: true });
  }

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
  const written: string[] = [];
  for (const out of split.outputFiles) {
    if (out.path.endsWith('.map')) continue;
    const name = path.basename(out.path);
    const map = split.outputFiles.find((f) => f.path === `${out.path}.map`);
    if (!map) throw new BuildError(`esbuild wrote no source map for ${name}`);
    written.push(writeBundle(outDir, name, await toCommonJs(out.text, map.text, name)));
  }

  for (const lazyModule of LAZY_MODULES) {
    const name = lazyModule.file;
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
      outfile: path.join(cloudDir, name),
      write: false,
      legalComments: 'none',
      logLevel: 'warning',
    });
    const code = lazy.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
    const map = lazy.outputFiles.find((f) => f.path.endsWith('.map'))!.text;
    written.push(
      writeBundle(outDir, name, {
        code: code.replace(/\/\/# sourceMappingURL=.*\n?$/, ''),
        map,
      }),
    );
  }

  writeFileSync(path.join(outDir, 'metafile.json'), JSON.stringify(split.metafile));
  // b4a deploy uploads cloud/ and public/; an empty public/ keeps the layout explicit.
  mkdirSync(path.join(outDir, 'public'), { recursive: true });
  writeFileSync(path.join(outDir, 'public', '.keep'), '');
  const rel = path.relative(ROOT, outDir) || '.';
  return {
    files: written.map((f) => `${rel}/cloud/${path.basename(f)}`).sort(),
    ms: Date.now() - started,
    metafile: split.metafile,
  };
}

if (require.main === module) {
  build()
    .then(async ({ files, ms, metafile }) => {
      console.log(`built ${files.join(', ')} in ${ms} ms`);
      if (process.argv.includes('--analyze'))
        console.log(await analyzeMetafile(metafile, { verbose: process.argv.includes('--why') }));
    })
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
}
