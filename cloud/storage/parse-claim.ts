/**
 * The atomic half of a refresh claim on a UserToken row (refresh-claim.ts has the rule). Parse's
 * Increment op is atomic on both databases ($inc on MongoDB, `col = COALESCE(col, 0) + n` on
 * PostgreSQL) and parse-server returns the field's new value in the update response
 * (DatabaseController._sanitizeDatabaseResult), so "did I move it from n to n + 1" needs no lock.
 */
import type { ParseSdk } from '../parse-runtime';
import { CLASSES } from './codec';
import { MASTER } from './parse-ops';

/** Increments refresh_claim and stamps refresh_claim_at in ONE save; resolves the new counter. */
export async function incrementRefreshClaim(
  Parse: ParseSdk,
  objectId: string,
  now: Date,
): Promise<number | undefined> {
  // The raw REST answer, not a Parse.Object: the SDK would show its local estimate (old + 1)
  // if the server's value were missing, and every claimer would believe it won.
  const res: unknown = await Parse.CoreManager.getRESTController().request(
    'PUT',
    `classes/${CLASSES.token}/${objectId}`,
    {
      refresh_claim: { __op: 'Increment', amount: 1 },
      refresh_claim_at: { __type: 'Date', iso: now.toISOString() },
    },
    MASTER,
  );
  const value = (res as { refresh_claim?: unknown } | null)?.refresh_claim;
  return typeof value === 'number' ? value : undefined;
}
