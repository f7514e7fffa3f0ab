/**
 * Whether the browser already carries a live seed session (`session_id` cookie, cloud/auth) whose
 * stored Airtable credential is usable: then the consent page names that account, and approving
 * connects the client to it (the grant keeps that very credential) without a new Airtable sign-in.
 */
import type { Request } from 'express';
import { readCookie, SESSION_COOKIE, sessionCredential } from '../../auth/session-auth';
import { CredentialUnreadableError, type CredentialRef } from '../../storage/base';
import type { OAuthCoreDeps } from '../options';

const SECRET_SHAPE = /^[A-Za-z0-9_-]{20,200}$/;

export interface SignedInAccount {
  credential: CredentialRef;
  /** The Airtable account's email, when Airtable told us (scope user.email:read). */
  email: string | undefined;
  kind: 'oauth' | 'pat';
}

/** The Airtable connection of the signed-in person, or undefined. */
export async function signedInAccount(
  deps: OAuthCoreDeps,
  req: Request,
): Promise<SignedInAccount | undefined> {
  const secret = readCookie(req, SESSION_COOKIE);
  if (!secret || !SECRET_SHAPE.test(secret)) return undefined;
  const session = await deps.storage.findSession(secret);
  // Only the seed's browser sessions count; an access token of ours is never a login.
  if (!session || session.data.kind !== 'session') return undefined;
  const credential = sessionCredential(session);
  try {
    const token = await deps.storage.getUserToken(credential);
    if (!token || token.status !== 'active' || token.expiresAt <= deps.now()) return undefined;
    return { credential, email: token.credential.email, kind: token.credential.kind };
  } catch (err) {
    if (err instanceof CredentialUnreadableError) return undefined; // reconnect through Airtable
    throw err;
  }
}

/** Whether two references name the same stored credential. */
export function sameAccount(a: CredentialRef, b: CredentialRef | undefined): boolean {
  return !!b && a.userId === b.userId && a.credentialId === b.credentialId;
}
