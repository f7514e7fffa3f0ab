/**
 * Second step of the Cloud Code build: esbuild shares code between entry points only in ESM
 * output ("splitting currently only works with the esm format", esbuild.github.io/api/#splitting),
 * while Back4App's parse-server `require()`s cloud/main.js (parse-server 7+ lib/ParseServer.js
 * uses import() only when the project's package.json says "type": "module"). So the build splits
 * in ESM, then turns every output file into a minified CommonJS module here: `import ... from
 * "./shared-XXXX.js"` becomes `require("./shared-XXXX.js")`, `export` becomes `module.exports`.
 *
 * The ESM step writes `__require("x")` for a require() of an external module (esbuild's shim for
 * ESM output); in CommonJS the real `require` exists, so the shim is replaced by it. That keeps
 * every load of another module spelled `require("...")`, which the deploy checks read.
 *
 * Names: the ESM step runs with keepNames, which pins every function's and class's `.name`
 * (error names, `constructor.name`) before this step shortens identifiers.
 */
import { transform } from 'esbuild';

/** Node 18: Back4App's Node version is UNVERIFIED (platform-facts.md); never raise it. */
export const TARGET = 'node18';

/** Calls of esbuild's shim (`__require`, its runtime name in unminified output) and `__require.main`. */
const SHIM_USE = /\b__require(?=\s*[(.])/g;

/**
 * `esmCode` and `esmMap` are one output file of the ESM step and its source map. Returns the
 * CommonJS code (without a sourceMappingURL comment) and its source map, which points at the
 * original TypeScript and node_modules sources.
 */
export async function toCommonJs(
  esmCode: string,
  esmMap: string,
  fileName: string,
): Promise<{ code: string; map: string }> {
  const body = esmCode.replace(SHIM_USE, 'require').replace(/\/\/# sourceMappingURL=\S*\s*$/, '');
  // esbuild chains source maps through an inline sourceMappingURL on its input.
  const code = `${body}\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(esmMap).toString('base64')}\n`;
  const result = await transform(code, {
    format: 'cjs',
    target: TARGET,
    platform: 'node',
    minify: true,
    // Drops the now unused shim where no other chunk imports it (it is marked pure).
    treeShaking: true,
    // import() of a chunk becomes a require() of it: CommonJS all the way down.
    supported: { 'dynamic-import': false },
    sourcemap: 'external',
    sourcefile: fileName,
    legalComments: 'none',
    logLevel: 'warning',
  });
  return { code: result.code, map: result.map };
}
