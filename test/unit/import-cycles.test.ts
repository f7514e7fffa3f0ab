/**
 * No import cycles in our sources: a cycle makes load order decide whether a module sees its
 * neighbour's exports (undefined at load under CommonJS, which the bundle is), and it ties two
 * files together that should each make sense alone. Type-only imports count too - they are the
 * ones that turn into real cycles the day a value is imported along the same path. Imports are
 * read and resolved by TypeScript itself (preProcessFile: static, type-only, dynamic import() and
 * require(); resolveModuleName with the project's resolution), so nothing is guessed by regex.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');
const FOLDERS = ['cloud', 'scripts', 'fake-airtable', 'schema', 'test'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(file);
    return /\.(c|m)?ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [file] : [];
  });
}

/** file -> the project files it imports (relative specifiers only; packages are not ours). */
function importGraph(files: string[]): Map<string, string[]> {
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.Preserve,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    resolveJsonModule: true,
    allowJs: true,
  };
  const host = ts.createCompilerHost(options);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const deps = importedFiles
      .filter((i) => i.fileName.startsWith('.'))
      .map((i) => ts.resolveModuleName(i.fileName, file, options, host).resolvedModule)
      .filter((r) => r !== undefined && !r.isExternalLibraryImport)
      .map((r) => path.resolve(r!.resolvedFileName));
    graph.set(file, deps);
  }
  return graph;
}

/** The strongly connected components with more than one file (or a file importing itself). */
function findCycles(graph: Map<string, string[]>): string[][] {
  // Tarjan's algorithm.
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)!.includes(v)) cycles.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

it('finds a cycle when there is one (the check itself works)', () => {
  const graph = new Map([
    ['a', ['b']],
    ['b', ['c']],
    ['c', ['a', 'd']],
    ['d', []],
    ['e', ['e']],
  ]);
  expect(findCycles(graph)).toEqual([['a', 'b', 'c'], ['e']]);
});

it('no module of ours imports itself through others (cloud, scripts, fake-airtable, schema, test)', () => {
  const files = FOLDERS.flatMap((d) => sources(path.join(ROOT, d)));
  const graph = importGraph(files);
  expect(files.length).toBeGreaterThan(300);
  // Type-only imports are edges too (save-rules.ts takes only types from save-rule.ts).
  expect(graph.get(path.join(ROOT, 'cloud/oauth-server/store/save-rules.ts'))).toContain(
    path.join(ROOT, 'cloud/save-rule.ts'),
  );
  const cycles = findCycles(graph).map((c) => c.map((f) => path.relative(ROOT, f)).join(' <-> '));
  expect(cycles).toEqual([]);
});
