/**
 * Runs `npm start` (or `npm run start:sandbox`) as a person does - npm, its shell, our node process,
 * PostgreSQL - in its own process group, so that a test can signal exactly one of them (npm, the
 * server) or the whole group (a terminal's Ctrl-C), and then check that nothing is left running.
 * The environment is minimal and explicit: none of the harness's variables.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { ROOT } from './node-script';

export interface StartProcess {
  /** The npm process. */
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with npm's exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  /** Resolves with the server's URL once the banner is printed (rejects if npm exits first). */
  ready(timeoutMs?: number): Promise<string>;
  /** The node process running scripts/dev/start.ts (npm's child: the script `exec`s node). */
  serverPid(): number | undefined;
  /** Every process below npm right now (shell, node, PostgreSQL and its workers...). */
  tree(): number[];
  /** SIGINT to the whole process group, as a terminal's Ctrl-C. */
  interrupt(): void;
  /** SIGKILL to the group (cleanup after a failed test). */
  kill(): void;
}

/** pid -> parent pid, from /proc (Linux). */
function parents(): Map<number, number> {
  const map = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      map.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone meanwhile */
    }
  }
  return map;
}

export function descendants(pid: number): number[] {
  const ppid = parents();
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of ppid)
      if (parent === p) {
        out.push(child);
        walk(child);
      }
  };
  walk(pid);
  return out;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** True when a process with this pid exists (and is not a zombie). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Waits until none of `pids` runs; resolves those still running after `timeoutMs`. */
export async function waitAllGone(pids: number[], timeoutMs = 20_000): Promise<string[]> {
  const until = Date.now() + timeoutMs;
  let left = pids.filter(alive);
  while (left.length > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    left = left.filter(alive);
  }
  return left.map((p) => `${p} ${cmdline(p)}`);
}

export function spawnStart(env: Record<string, string>, args: string[] = []): StartProcess {
  const script = args.includes('--sandbox') ? 'start:sandbox' : 'start';
  const child = spawn('npm', ['run', '--silent', script], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/root',
      // Inside the run's folder, like everything else the tests write (test/harness/run-dir.ts).
      ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const signalGroup = (signal: NodeJS.Signals) => {
    if (!child.pid) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      /* already gone */
    }
  };
  const serverPid = () =>
    child.pid
      ? descendants(child.pid).find((p) => /^(\S*\/)?node scripts\/run\.cjs /.test(cmdline(p)))
      : undefined;
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async ready(timeoutMs = 90_000) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const m = /Airtable MCP server on (http:\/\/\S+)/.exec(out);
        if (m) return m[1]!;
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`npm start exited ${child.exitCode ?? child.signalCode}: ${err}${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`npm start was not ready within ${timeoutMs} ms:\n${err}\n${out}`);
    },
    serverPid,
    tree: () => (child.pid ? descendants(child.pid) : []),
    interrupt: () => signalGroup('SIGINT'),
    kill: () => signalGroup('SIGKILL'),
  };
}
