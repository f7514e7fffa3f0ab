/**
 * Whether the browser already carries a live seed session (`session_id` cookie, cloud/auth) whose
 * Airtable user has a usable credential: then an approved request needs no new Airtable sign-in.
 */
import type { Request } from 'express';
import { readCookie, SESSION_COOKIE } from '../auth/session-auth';
import { CredentialUnreadableError } from '../storage/base';
import type { OAuthCoreDeps } from './options';

const SECRET_SHAPE = /^[A-Za-z0-9_-]{20,200}$/;

/** The Airtable user id of the signed-in person, or undefined. */
export async function signedInUser(deps: OAuthCoreDeps, req: Request): Promise<string | undefined> {
  const secret = readCookie(req, SESSION_COOKIE);
  if (!secret || !SECRET_SHAPE.test(secret)) return undefined;
  const session = await deps.storage.findSession(secret);
  // Only the seed's browser sessions count; an access token of ours is never a login.
  if (!session || session.data.kind !== 'session') return undefined;
  try {
    const token = await deps.storage.getUserToken(session.userId);
    if (!token || token.status !== 'active' || token.expiresAt <= deps.now()) return undefined;
  } catch (err) {
    if (err instanceof CredentialUnreadableError) return undefined; // reconnect through Airtable
    throw err;
  }
  return session.userId;
}
