/**
 * Who is calling: `Authorization: Bearer <session_id or access token>`, or the `session_id`
 * cookie for same-site browser requests only (a cross-site request never authenticates by cookie,
 * judged by Sec-Fetch-Site and Origin). Secrets are looked up by keyed hash (Storage).
 */
import type { Request } from 'express';
import type { CredentialRef, SessionRecord, Storage } from '../storage/base';

export const SESSION_COOKIE = 'session_id';
/** Bearer secrets we issue are base64url; anything else cannot be ours (and is not looked up). */
const SECRET_SHAPE = /^[A-Za-z0-9_-]{20,200}$/;

export type CredentialSource = 'bearer' | 'cookie';

export interface PresentedCredential {
  secret: string;
  source: CredentialSource;
}

export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function sameSite(req: Request, publicUrl: string): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site') return false;
  const origin = req.headers.origin;
  if (origin && origin !== 'null') {
    try {
      return new URL(origin).origin === new URL(publicUrl).origin;
    } catch {
      return false;
    }
  }
  return true;
}

/** The credential the request presents, or an error text when it is malformed. */
export function presentedCredential(
  req: Request,
  publicUrl: string,
): PresentedCredential | { malformed: string } | undefined {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (!m)
      return {
        malformed: 'The Authorization header must be "Bearer <session id or access token>".',
      };
    const secret = m[1]!;
    if (!SECRET_SHAPE.test(secret))
      return { malformed: 'The bearer token is not one this server issued.' };
    return { secret, source: 'bearer' };
  }
  const cookie = readCookie(req, SESSION_COOKIE);
  if (cookie && SECRET_SHAPE.test(cookie) && sameSite(req, publicUrl))
    return { secret: cookie, source: 'cookie' };
  return undefined;
}

export interface AuthenticatedSession {
  session: SessionRecord;
  secret: string;
  source: CredentialSource;
}

export type AuthOutcome =
  | { ok: true; value: AuthenticatedSession }
  | { ok: false; error: 'invalid_request' | 'invalid_token'; description: string };

export interface AuthenticateOptions {
  /**
   * Our MCP resource URL, at /mcp only: access tokens our OAuth server issued for exactly this
   * resource (RFC 8707 audience) are accepted there. Everywhere else (session management under
   * /auth and /api) only session ids are: a token handed to an MCP client must not be able to end
   * the person's sessions or read their account.
   */
  resource?: string;
}

/** Checks the request's session id or, at the MCP resource, access token. */
export async function authenticate(
  req: Request,
  storage: Storage,
  publicUrl: string,
  opts: AuthenticateOptions = {},
): Promise<AuthOutcome> {
  const cred = presentedCredential(req, publicUrl);
  if (!cred)
    return { ok: false, error: 'invalid_request', description: 'No session: sign in first.' };
  if ('malformed' in cred)
    return { ok: false, error: 'invalid_token', description: cred.malformed };
  const session = await storage.findSession(cred.secret);
  if (!session)
    return {
      ok: false,
      error: 'invalid_token',
      description: 'The session is unknown, expired or revoked: sign in again.',
    };
  if (session.data.kind === 'mcp_access') {
    if (opts.resource === undefined)
      return {
        ok: false,
        error: 'invalid_token',
        description:
          "An access token from this server's OAuth flow is only accepted at /mcp; this endpoint takes a session id.",
      };
    if (session.data.resource !== opts.resource)
      return {
        ok: false,
        error: 'invalid_token',
        description: 'This access token was issued for another resource.',
      };
  }
  return { ok: true, value: { session, secret: cred.secret, source: cred.source } };
}

/** The stored credential a session uses (CredentialRef). */
export function sessionCredential(session: SessionRecord): CredentialRef {
  return { userId: session.userId, credentialId: session.data.credentialId };
}

export function sessionCookie(secret: string, maxAgeSeconds: number, publicUrl: string): string {
  const secure = publicUrl.startsWith('https://') ? '; Secure' : '';
  return `${SESSION_COOKIE}=${encodeURIComponent(secret)}; HttpOnly; SameSite=Lax; Path=/; Max-Age=${maxAgeSeconds}${secure}`;
}

export function clearedSessionCookie(publicUrl: string): string {
  return sessionCookie('', 0, publicUrl).replace(`${SESSION_COOKIE}=;`, `${SESSION_COOKIE}=;`);
}
