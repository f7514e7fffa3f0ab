/**
 * What the Cloud Code build leaves out of the bundles, and why (issue 14: no dependency in a
 * bundle that the bundle does not use). Each entry names the code it replaces; `npm run build --
 * --analyze` and test/unit/bundle.test.ts show that none of it is left in dist/cloud.
 *
 * - PRUNED: code paths the product never takes, replaced by a small stand-in at build time.
 * - LAZY_MODULES: modules only some deployments or code paths use, each written to its own file
 *   under dist/cloud/, so that a process that never needs one never reads it.
 */
import type { Plugin } from 'esbuild';
import path from 'node:path';

export interface Pruned {
  /** What is replaced (a package, or a file inside one). */
  what: string;
  /** Why the product never runs it. */
  why: string;
  /** Matches the import specifier... */
  filter: RegExp;
  /** ...when imported from a file whose path contains this (a package folder). */
  importer: string;
  /** The stand-in module (ESM source). */
  contents: string;
}

const ZOD_EN = path.join(
  path.dirname(require.resolve('zod/package.json')),
  'v4',
  'locales',
  'en.js',
);

export const PRUNED: readonly Pruned[] = [
  {
    what: 'zod/v4/locales (63 languages)',
    why: 'zod sets its English messages itself (v4/classic/external.js imports locales/en.js); the other 62 are only reachable as z.locales.*, which the product never calls (its messages are its own, in English). About 370 kB before minification.',
    filter: /^\.\.\/locales\/index\.js$/,
    importer: `${path.sep}node_modules${path.sep}zod${path.sep}`,
    contents: `export { default as en } from ${JSON.stringify(ZOD_EN)};`,
  },
  {
    what: "zod's fromJSONSchema (v4/classic/from-json-schema.js)",
    why: 'Builds zod schemas from JSON Schema documents at run time; neither the product nor the MCP SDK calls z.fromJSONSchema (all schemas are written in zod).',
    filter: /^\.\/from-json-schema\.js$/,
    importer: `${path.sep}node_modules${path.sep}zod${path.sep}`,
    contents: `export function fromJSONSchema() {
  throw new Error('z.fromJSONSchema is not in this build (scripts/build/build-plugins.ts)');
}`,
  },
  {
    what: 'zod/v3 (the zod 3 API inside the zod 4 package)',
    why: "The MCP SDK's server/zod-compat.js builds a zod 3 object (z3rt.object) only when every field of a tool's shape is a zod 3 schema; every schema here is a zod 4 schema.",
    filter: /^zod\/v3$/,
    importer: `${path.sep}@modelcontextprotocol${path.sep}sdk${path.sep}`,
    contents: `export function object() {
  throw new Error('zod 3 schemas are not supported by this build (scripts/build/build-plugins.ts): use zod 4');
}`,
  },
  {
    what: 'zod-to-json-schema',
    why: "The MCP SDK's toJsonSchemaCompat (server/zod-json-schema-compat.js) uses it for zod 3 schemas only; every schema here is a zod 4 schema, which the SDK converts with zod's own toJSONSchema.",
    filter: /^zod-to-json-schema$/,
    importer: `${path.sep}@modelcontextprotocol${path.sep}sdk${path.sep}`,
    contents: `export function zodToJsonSchema() {
  throw new Error('zod 3 schemas are not supported by this build (scripts/build/build-plugins.ts): use zod 4');
}`,
  },
];

/**
 * Modules only some deployments or code paths use, each written to its own file under dist/cloud/
 * and required from there on first use. Either our code requires the module lazily itself
 * (a static import fails the build), or - when third-party code imports it statically - the
 * build replaces the module with a stand-in that requires the file on first use.
 */
export interface LazyModule {
  /** Written to dist/cloud/<file>. */
  file: string;
  /** What that file holds. */
  module: string;
  why: string;
  standIn?: {
    /** The resolved path of the module the stand-in replaces. */
    path: RegExp;
    /** ESM source; it may require(`./${file}`). */
    contents: string;
  };
}

export const LAZY_MODULES: readonly LazyModule[] = [
  {
    file: 'ioredis.js',
    module: 'ioredis',
    why: 'only with REDIS_URL (the shared session cache): cloud/cache/redis-connection.ts requires it when it opens the first connection.',
  },
  {
    file: 'mcp-ajv.js',
    module: '@modelcontextprotocol/sdk/validation/ajv',
    why: "The MCP SDK's Server validates with it only the answer to an elicitation request (server/index.js elicitInput), which this server never sends; Ajv and its formats are 143 kB minified, a third of app.js before they moved out.",
    standIn: {
      path: /[\\/]@modelcontextprotocol[\\/]sdk[\\/]dist[\\/](esm|cjs)[\\/]validation[\\/]ajv-provider\.js$/,
      // Same class and interface as the SDK's (constructor(ajv?), getValidator(schema)).
      contents: `export class AjvJsonSchemaValidator {
  constructor(ajv) {
    this._ajv = ajv;
    this._real = undefined;
  }
  getValidator(schema) {
    if (!this._real) {
      const { AjvJsonSchemaValidator: Real } = require('./mcp-ajv.js');
      this._real = new Real(this._ajv);
    }
    return this._real.getValidator(schema);
  }
}`,
    },
  },
];

export function prunePlugin(): Plugin {
  return {
    name: 'prune-unused',
    setup(b) {
      PRUNED.forEach((p, i) => {
        b.onResolve({ filter: p.filter }, (args) =>
          args.importer.includes(p.importer) ? { path: String(i), namespace: 'pruned' } : undefined,
        );
      });
      b.onLoad({ filter: /.*/, namespace: 'pruned' }, (args) => ({
        contents: PRUNED[Number(args.path)]!.contents,
        loader: 'js',
        resolveDir: path.dirname(ZOD_EN),
      }));
    },
  };
}

/**
 * Maps our code's `require('<lazy module>')` to its file next to the bundle (a static import of
 * one would put it back into the bundle: that fails the build), and swaps in the stand-ins.
 */
export function lazyModulesPlugin(): Plugin {
  const byName = new Map(LAZY_MODULES.filter((m) => !m.standIn).map((m) => [m.module, m]));
  const files = new Set(LAZY_MODULES.map((m) => `./${m.file}`));
  return {
    name: 'lazy-modules',
    setup(b) {
      // The stand-ins' require('./<file>'): a file next to the bundle at run time.
      b.onResolve({ filter: /^\.\/[\w-]+\.js$/ }, (args) =>
        files.has(args.path) && args.kind === 'require-call'
          ? { path: args.path, external: true }
          : undefined,
      );
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        const lazy = byName.get(args.path);
        if (!lazy || args.importer.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        if (args.kind !== 'require-call')
          return {
            errors: [
              {
                text: `${args.path} is loaded only when needed: require('${args.path}') where it is first used, not a static import (scripts/build/build-plugins.ts LAZY_MODULES)`,
              },
            ],
          };
        return { path: `./${lazy.file}`, external: true };
      });
      for (const m of LAZY_MODULES)
        if (m.standIn) {
          const contents = m.standIn.contents;
          b.onLoad({ filter: m.standIn.path }, () => ({ contents, loader: 'js' }));
        }
    },
  };
}
