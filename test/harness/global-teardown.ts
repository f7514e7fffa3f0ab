/** Stops what global-setup started: the stack first, then the fake and the database. */
export default async function globalTeardown(): Promise<void> {
  const g = globalThis as { __stoppers?: { stop(): Promise<void> }[] };
  for (const s of g.__stoppers ?? []) await s.stop().catch(() => {});
}
