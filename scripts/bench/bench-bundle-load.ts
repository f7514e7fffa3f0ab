/**
 * One fresh process of `npm run bench -- bundle` (scripts/bench/bench-bundle.ts). It is compiled to
 * CommonJS and run by plain node: under tsx every require() would pass through tsx's loader and
 * cost more than it does on Back4App.
 *
 * Loads what Back4App has loaded before Cloud Code - express and parse-server, with the globals
 * `app` (an Express app) and `Parse` (parse-server's own copy, which parse-server's
 * lib/ParseServer.js puts on global with Parse.Cloud when it is loaded) - then requires the files
 * named in BENCH_LOAD from BENCH_DIST/cloud, in order, and prints one JSON line: how long the
 * baseline and each file took (wall and CPU), the process's memory right after them and after a
 * full GC (compared with a run that loads no file: scripts/bench/bench-bundle.ts), which bundle files
 * ended up loaded, and how many routes were registered.
 *
 * Input: BENCH_ROOT (where node_modules is), BENCH_DIST, BENCH_LOAD (comma-separated, may be
 * empty), and the product's own variables (SECRET_KEY, ENCRYPTION_KEY, ...). Needs --expose-gc.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

interface ParseGlobal {
  initialize(appId: string, javascriptKey?: string, masterKey?: string): void;
  serverURL: string;
}

interface RouterLike {
  stack?: unknown[];
}

const started = performance.now();
const root = process.env.BENCH_ROOT ?? '';
const dist = process.env.BENCH_DIST ?? '';
const files = (process.env.BENCH_LOAD ?? '').split(',').filter(Boolean);
const gc = (globalThis as { gc?: () => void }).gc;
if (!root || !dist || !gc) throw new Error('needs BENCH_ROOT, BENCH_DIST and --expose-gc');

const fromRoot = createRequire(path.join(root, 'package.json'));
const express = fromRoot('express') as () => object;
fromRoot('parse-server');
const g = globalThis as unknown as { Parse?: ParseGlobal; app?: object };
if (!g.Parse) throw new Error('parse-server did not set the global Parse');
g.Parse.initialize('bench-app', 'bench-js-key', 'bench-master-key');
// Nothing listens there: main.js's load-time schema check fails later, after the measurement.
g.Parse.serverURL = 'http://127.0.0.1:9/parse';
g.app = express();
const baselineMs = performance.now() - started;

const perFile: { file: string; ms: number; cpuMs: number }[] = [];
for (const file of files) {
  const cpuBefore = process.cpuUsage();
  const loadStarted = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded as Back4App loads it
  require(path.join(dist, 'cloud', file));
  const cpu = process.cpuUsage(cpuBefore);
  perFile.push({
    file,
    ms: performance.now() - loadStarted,
    cpuMs: (cpu.user + cpu.system) / 1000,
  });
}
// No collection before this reading: memory as a process that just loaded Cloud Code holds it.
const loaded = process.memoryUsage();
gc();
gc();
const settled = process.memoryUsage();

const cloudDir = path.join(dist, 'cloud') + path.sep;
const app = g.app as { router?: RouterLike; _router?: RouterLike };
console.log(
  JSON.stringify({
    baselineMs,
    perFile,
    loadMs: perFile.reduce((n, f) => n + f.ms, 0),
    loadCpuMs: perFile.reduce((n, f) => n + f.cpuMs, 0),
    rss: loaded.rss,
    rssSettled: settled.rss,
    heapSettled: settled.heapUsed,
    loaded: Object.keys(require.cache)
      .filter((f) => f.startsWith(cloudDir))
      .map((f) => path.basename(f))
      .sort(),
    // Express 5 keeps its router at app.router, Express 4 at app._router.
    routes: (app.router ?? app._router)?.stack?.length ?? 0,
  }),
);
process.exit(0);
