/**
 * When a connection ends, its stored Airtable credential goes too - unless something else still
 * uses it: another live session made from the same sign-in, or an OAuth grant of our
 * authorization server that a signed-in browser approved with it. "Sign out everywhere" deletes
 * every credential of the user instead (routes/auth-session.ts).
 */
import type { CredentialRef, Storage } from '../storage/base';

/** Whether live OAuth grants (cloud/oauth-server) use this credential. */
export type GrantsUseCredential = (ref: CredentialRef) => Promise<boolean>;

/** Deletes the credential when nothing but `endedSessionId` used it; true when deleted. */
export async function releaseCredential(
  storage: Storage,
  ref: CredentialRef,
  opts: { endedSessionId?: string; grantsUse?: GrantsUseCredential },
): Promise<boolean> {
  if (await storage.credentialHasLiveSessions(ref, opts.endedSessionId)) return false;
  if (opts.grantsUse && (await opts.grantsUse(ref))) return false;
  await storage.deleteUserToken(ref);
  return true;
}
