/**
 * The rule both stores apply before incrementing UserToken.refresh_claim. Airtable rotates refresh
 * tokens and two concurrent refreshes burn the grant (platform-facts.md), so at most one process
 * may refresh a given credential at a time:
 *
 * - a claim is "held" while it is younger than the lease AND no newer credential has been stored
 *   since it was made (the holder's upsertUserToken / markUserTokenDead ends it early);
 * - a caller may only claim what it saw: if the counter moved since its read, someone else claimed;
 * - the increment itself is atomic, and only the caller that moved seenClaim to seenClaim + 1 wins.
 */
export interface ClaimState {
  claim: number;
  claimAt: Date | undefined;
  tokensUpdatedAt: Date | undefined;
}

export function claimHeld(state: ClaimState, leaseMs: number, now: Date): boolean {
  const { claimAt, tokensUpdatedAt } = state;
  if (!claimAt) return false;
  const fresh = now.getTime() - claimAt.getTime() < leaseMs;
  const afterLastWrite = !tokensUpdatedAt || claimAt >= tokensUpdatedAt;
  return fresh && afterLastWrite;
}

/** Whether a caller that saw `seenClaim` may attempt the atomic increment. */
export function claimWinnable(
  state: ClaimState,
  seenClaim: number,
  leaseMs: number,
  now: Date,
): boolean {
  return state.claim === seenClaim && !claimHeld(state, leaseMs, now);
}
