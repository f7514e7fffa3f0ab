/**
 * `npm run build`: bundles Cloud Code with esbuild into dist/cloud/{main,app}.js - exactly what
 * `b4a deploy` uploads. CommonJS for node18 (Back4App's Node version is UNVERIFIED); `parse` and
 * `express` stay external because Back4App provides them as globals, and the bundle must never
 * actually require them (checked by the tests and the deploy dry run).
 *
 * `npm start` calls buildIfStale(): nothing is rebuilt while every source the last build read
 * (esbuild's metafile, kept in dist/.build-stamp.json - outside cloud/ and public/, the folders
 * `b4a deploy` uploads) is unchanged.
 */
import { build as esbuild } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isFresh, ROOT as PROJECT_ROOT, writeAtomic, writeStamp } from './build-cache.cjs';

// Found from package.json, not __dirname: this file also runs bundled (scripts/run.cjs).
export const ROOT = PROJECT_ROOT;
export const DIST = path.join(ROOT, 'dist');

const stampFile = (outDir: string) => path.join(outDir, '.build-stamp.json');

/** Builds into `outDir` (default dist/; the tests build into a private folder so runs never race). */
export async function build(outDir = DIST): Promise<{ files: string[]; ms: number }> {
  const started = Date.now();
  const cloudDir = path.join(outDir, 'cloud');
  mkdirSync(cloudDir, { recursive: true });
  const result = await esbuild({
    entryPoints: { main: path.join(ROOT, 'cloud/main.ts'), app: path.join(ROOT, 'cloud/app.ts') },
    outdir: cloudDir,
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    external: ['parse', 'parse/node', 'express'],
    logLevel: 'warning',
    legalComments: 'none',
    keepNames: true,
    metafile: true,
    // Written below, each file atomically: a concurrent `npm start` never loads half a bundle.
    write: false,
  });
  for (const f of result.outputFiles) writeAtomic(f.path, f.contents);
  // b4a deploy uploads cloud/ and public/; an empty public/ keeps the layout explicit.
  mkdirSync(path.join(outDir, 'public'), { recursive: true });
  writeFileSync(path.join(outDir, 'public', '.keep'), '');
  writeStamp(
    stampFile(outDir),
    result.metafile,
    result.outputFiles.map((f) => f.path),
    ['scripts/build.ts', 'package-lock.json'],
  );
  const rel = path.relative(ROOT, outDir) || '.';
  return { files: [`${rel}/cloud/main.js`, `${rel}/cloud/app.js`], ms: Date.now() - started };
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
    const { files, ms } = await build();
    console.log(`built ${files.join(', ')} in ${ms} ms`);
    return 0;
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    return 1;
  }
}

if (require.main === module) void main().then((code) => process.exit(code));
