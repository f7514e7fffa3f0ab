// @ts-check
/**
 * "Is this esbuild output still current?" without rebuilding: next to each output we keep a stamp
 * listing every input esbuild read (its metafile) with the size and mtime it had. Plain CommonJS
 * so that scripts/run.cjs can use it before any TypeScript is compiled; scripts/build/build.ts uses it
 * too (types in build-cache.d.cts).
 *
 * Outputs are written to a temporary name and renamed, so two processes building at once (two
 * `npm start` in one clone, parallel test files) never leave a half-written bundle behind.
 */
const { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const path = require('node:path');

/** The folder holding package.json of this project, found upwards from `from`. */
function projectRoot(from) {
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
      if (pkg.name === 'airtable-mcp-back4app') return dir;
    } catch {
      /* not here */
    }
    if (path.dirname(dir) === dir)
      throw new Error(`no airtable-mcp-back4app package above ${from}`);
  }
}

const ROOT = projectRoot(__dirname);

/** Where built development scripts live: the conventional cache folder, never /tmp or dist/. */
const CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'airtable-mcp');

function fingerprint(file) {
  try {
    const s = statSync(path.resolve(ROOT, file));
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

/**
 * True when `stampFile` exists and every input it lists (paths relative to the project) still
 * has the size and mtime recorded, and every output it lists exists.
 */
function isFresh(stampFile) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
  } catch {
    return false;
  }
  if (!stamp || typeof stamp.inputs !== 'object' || !Array.isArray(stamp.outputs)) return false;
  for (const out of stamp.outputs) if (fingerprint(out) === 'missing') return false;
  for (const [file, print] of Object.entries(stamp.inputs))
    if (fingerprint(file) !== print) return false;
  return true;
}

/** Writes `contents` to `file` through a temporary file and a rename (atomic on one filesystem). */
function writeAtomic(file, contents, mode) {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, contents, mode === undefined ? undefined : { mode });
  renameSync(tmp, file);
}

/**
 * Records the inputs of an esbuild metafile (plus `extraInputs`, e.g. the build script itself)
 * and the outputs, all relative to the project.
 */
function writeStamp(stampFile, metafile, outputs, extraInputs = []) {
  const inputs = {};
  for (const file of [...Object.keys(metafile.inputs), ...extraInputs]) {
    // esbuild names inputs relative to its working directory; keep them relative to the project.
    const rel = path.relative(ROOT, path.resolve(process.cwd(), file));
    inputs[rel] = fingerprint(rel);
  }
  const outs = outputs.map((o) => path.relative(ROOT, path.resolve(o)));
  writeAtomic(stampFile, JSON.stringify({ inputs, outputs: outs }));
}

module.exports = { ROOT, CACHE_DIR, projectRoot, isFresh, writeAtomic, writeStamp };
