/**
 * `node --import ./scripts/compat/conformance-node20.mjs <suite>`: lets @modelcontextprotocol/conformance
 * (built for Node 22) load on Node 20, the version this project develops and tests on. The suite's
 * bundle imports `globSync` from "fs" (new in Node 22) at its top, so on Node 20 the whole module
 * fails to link; it calls it only in its tier-report command, never in `server` or `list`. This
 * resolve hook (Node's module.register, nodejs.org/api/module.html#customization-hooks) gives the
 * suite, and only the suite, an "fs" with every export of node:fs plus a globSync that says why it
 * is missing. On Node 22+ scripts/compat/conformance.ts does not load this file.
 */
import { register } from 'node:module';

const hooks = `
const SHIM = 'data:text/javascript,' + encodeURIComponent(
  "import fs from 'node:fs'; export * from 'node:fs'; export default fs;" +
  "export function globSync() { throw new Error('fs.globSync needs Node 22'); }"
);
export async function resolve(specifier, context, next) {
  const fromSuite = context.parentURL?.includes('/node_modules/@modelcontextprotocol/conformance/');
  if (fromSuite && (specifier === 'fs' || specifier === 'node:fs'))
    return { url: SHIM, shortCircuit: true };
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
