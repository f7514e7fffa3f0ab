// @ts-check
/**
 * `node scripts/run.cjs scripts/<job>/<name>.ts [args...]`: runs one of our TypeScript scripts with plain
 * node, in this one process. The script is bundled once with esbuild (dependencies stay in
 * node_modules) into node_modules/.cache/airtable-mcp/scripts/, and rebuilt only when one of its
 * sources changed (build-cache.cjs). Compared with tsx this saves its start-up and on-the-fly
 * compilation (about 0.7 s on a busy 2-core machine) and, above all, the second process tsx puts
 * between npm and the script: signals sent to npm's child now reach the server itself.
 *
 * The script exports `main(argv)`; a number it resolves is the exit code, nothing means "keep
 * running" (a server). Timings of this step are handed to the script (launcherTimings()).
 */
const startedMs = performance.now();
const path = require('node:path');
const { CACHE_DIR, ROOT, isFresh, writeAtomic, writeStamp } = require('./build/build-cache.cjs');

const [entryArg, ...args] = process.argv.slice(2);
if (!entryArg || !entryArg.endsWith('.ts')) {
  console.error('usage: node scripts/run.cjs scripts/<job>/<name>.ts [args...]');
  process.exit(2);
}
const entry = path.resolve(ROOT, entryArg);
const out = path.join(CACHE_DIR, path.relative(ROOT, entry).replace(/\.ts$/, '.js'));
const stamp = `${out}.stamp.json`;

let bundled = false;
if (!isFresh(stamp)) {
  const esbuild = require('esbuild');
  const result = esbuild.buildSync({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    sourcemap: true,
    keepNames: true,
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  // The map first: the script is what isFresh() and require() look at.
  const files = [...result.outputFiles].sort((a) => (a.path.endsWith('.map') ? -1 : 1));
  for (const f of files) writeAtomic(f.path, f.contents);
  writeStamp(
    stamp,
    result.metafile,
    [out],
    ['scripts/run.cjs', 'scripts/build/build-cache.cjs', 'tsconfig.json'],
  );
  bundled = true;
}

// Stack traces point at the TypeScript sources.
process.setSourceMapsEnabled(true);
/** @type {{ __airtableMcpLauncher?: unknown }} */ (globalThis).__airtableMcpLauncher = {
  startedMs,
  bundleMs: performance.now() - startedMs,
  bundled,
};
process.argv.splice(1, 2, entry);

const script = require(out);
if (typeof script.main !== 'function') {
  console.error(`${entryArg} does not export main(argv)`);
  process.exit(2);
}
Promise.resolve(script.main(args)).then(
  (code) => {
    if (typeof code === 'number') process.exit(code);
  },
  (err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
