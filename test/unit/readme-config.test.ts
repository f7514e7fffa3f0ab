/**
 * The README's configuration tables name every environment variable the code reads - the product's
 * (cloud/config.ts), the local stack's, the tools' and the tests' - so that none is a surprise
 * (DATA_DIR, EMBEDDED_PG_PORT and NODE_ENV once were). Found in the sources by the ways our code
 * reads them: process.env.X, env.X / env['X'], need('X') and the schema keys of cloud/config.ts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
/** The operating system's, not ours. */
const SYSTEM = new Set(['PATH', 'HOME', 'TMPDIR']);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return name === 'node_modules' ? [] : sources(file);
    return /\.(ts|cjs)$/.test(name) ? [file] : [];
  });
}

function variablesRead(): Set<string> {
  const names = new Set<string>();
  const patterns = [
    /process\.env\.([A-Z][A-Z0-9_]+)/g,
    /\benv\.([A-Z][A-Z0-9_]{2,})\b/g,
    /\benv\[['"]([A-Z][A-Z0-9_]+)['"]\]/g,
    /\bneed\(['"]([A-Z][A-Z0-9_]+)['"]\)/g,
  ];
  for (const file of ['cloud', 'scripts', 'fake-airtable', 'test'].flatMap((d) =>
    sources(path.join(ROOT, d)),
  )) {
    const text = readFileSync(file, 'utf8');
    for (const re of patterns) for (const m of text.matchAll(re)) names.add(m[1]!);
  }
  const config = readFileSync(path.join(ROOT, 'cloud/config.ts'), 'utf8');
  const schema = config.slice(
    config.indexOf('const EnvSchema'),
    config.indexOf('export interface Config'),
  );
  for (const m of schema.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)) names.add(m[1]!);
  for (const s of SYSTEM) names.delete(s);
  return names;
}

it("every variable the code reads is in the README's Configuration section", () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('## Configuration'),
    readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1),
  );
  const read = [...variablesRead()].sort();
  expect(read.length).toBeGreaterThan(40);
  expect(read.filter((name) => !section.includes(`\`${name}\``))).toEqual([]);
  for (const name of ['DATA_DIR', 'EMBEDDED_PG_PORT', 'NODE_ENV', 'PORT'])
    expect(read).toContain(name);
});
