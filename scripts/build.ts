/**
 * `npm run build`: bundles Cloud Code with esbuild into dist/cloud/{main,app}.js - exactly what
 * `b4a deploy` uploads. CommonJS for node18 (Back4App's Node version is UNVERIFIED); `parse` and
 * `express` stay external because Back4App provides them as globals, and the bundle must never
 * actually require them (checked by the tests and the deploy dry run).
 */
import { build as esbuild } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');
export const DIST = path.join(ROOT, 'dist');

/** Builds into `outDir` (default dist/; the tests build into a private folder so runs never race). */
export async function build(outDir = DIST): Promise<{ files: string[]; ms: number }> {
  const started = Date.now();
  mkdirSync(path.join(outDir, 'cloud'), { recursive: true });
  await esbuild({
    entryPoints: { main: path.join(ROOT, 'cloud/main.ts'), app: path.join(ROOT, 'cloud/app.ts') },
    outdir: path.join(outDir, 'cloud'),
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    external: ['parse', 'parse/node', 'express'],
    logLevel: 'warning',
    legalComments: 'none',
    keepNames: true,
  });
  // b4a deploy uploads cloud/ and public/; an empty public/ keeps the layout explicit.
  mkdirSync(path.join(outDir, 'public'), { recursive: true });
  writeFileSync(path.join(outDir, 'public', '.keep'), '');
  const rel = path.relative(ROOT, outDir) || '.';
  return { files: [`${rel}/cloud/main.js`, `${rel}/cloud/app.js`], ms: Date.now() - started };
}

if (require.main === module) {
  build()
    .then(({ files, ms }) => console.log(`built ${files.join(', ')} in ${ms} ms`))
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
}
