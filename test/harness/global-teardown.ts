/** Stops what global-setup started (stack first, then the fake and the database), then removes the run's folder. */
import { removeRunDir } from './run-dir';

export default async function globalTeardown(): Promise<void> {
  const g = globalThis as { __stoppers?: { stop(): Promise<void> }[] };
  for (const s of g.__stoppers ?? []) await s.stop().catch(() => {});
  const dir = process.env.TEST_RUN_DIR;
  if (dir) removeRunDir(dir);
}
