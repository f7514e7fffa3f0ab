/**
 * Runs `scripts/start.ts` (what `npm start` runs) as a child process, in its own process group so
 * that `interrupt()` signals the whole group exactly like Ctrl-C in a terminal does (embedded
 * PostgreSQL included). The environment is minimal and explicit: none of the harness's variables.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

export interface StartProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** SIGINT to the whole process group, as a terminal's Ctrl-C. */
  interrupt(): void;
  /** SIGKILL to the group (cleanup after a failed test). */
  kill(): void;
}

export function spawnStart(env: Record<string, string>, args: string[] = []): StartProcess {
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'),
      path.join(ROOT, 'scripts/start.ts'),
      ...args,
    ],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const signalGroup = (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      /* already gone */
    }
  };
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    interrupt: () => signalGroup('SIGINT'),
    kill: () => signalGroup('SIGKILL'),
  };
}

/** Polls GET /health until 200; resolves the milliseconds it took, rejects after `timeoutMs`. */
export async function waitForHealth(
  url: string,
  timeoutMs: number,
  proc?: StartProcess,
): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const res = await fetch(`${url}/health`).catch(() => undefined);
    if (res?.status === 200) return Date.now() - started;
    if (proc && proc.child.exitCode !== null)
      throw new Error(`start.ts exited ${proc.child.exitCode}: ${proc.stderr()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url}/health was not 200 within ${timeoutMs} ms: ${proc?.stderr() ?? ''}`);
}

/** True when a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
