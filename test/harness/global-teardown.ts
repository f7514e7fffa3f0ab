/** Stops what global-setup started (stack first, then the fake and the database), then removes its folder. */
import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const g = globalThis as { __stoppers?: { stop(): Promise<void> }[] };
  for (const s of g.__stoppers ?? []) await s.stop().catch(() => {});
  const dir = process.env.TEST_DATA_DIR;
  if (dir && dir.includes('airtable-mcp-test-')) rmSync(dir, { recursive: true, force: true });
}
