/** HTTP steps of the multi-instance tests: sign in, check a session, log out - on any instance. */
import { sessionFromPat } from '../helpers/airtable';
import { harness } from '../harness/env';
import { mcpPost } from '../helpers/mcp';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** HTTP status of an authenticated tools/list on `baseUrl` (200 or 401). */
export async function mcpStatus(sessionId: string, baseUrl: string): Promise<number> {
  return (await mcpPost(sessionId, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, baseUrl))
    .status;
}

/**
 * Whether `baseUrl` accepts the session: GET /api/auth/session checks the session alone (through
 * the same cached storage as /mcp), whereas /mcp also refuses once the user's Airtable token is
 * deleted - which "sign out everywhere" does - and would hide a stale session cache.
 */
export async function sessionStatus(sessionId: string, baseUrl: string): Promise<number> {
  const res = await fetch(`${baseUrl}/api/auth/session`, {
    headers: { Authorization: `Bearer ${sessionId}` },
  });
  await res.arrayBuffer();
  return res.status;
}

/** POST /api/auth/direct on `baseUrl`; returns the session id. */
export function signIn(baseUrl: string, pat: string): Promise<string> {
  return sessionFromPat(pat, 'claude', baseUrl);
}

/** POST /auth/logout on `baseUrl` (all: every session of the user, and the Airtable token). */
export async function logout(baseUrl: string, sessionId: string, all = false): Promise<void> {
  const res = await fetch(`${baseUrl}/auth/logout`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${sessionId}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ all }),
  });
  if (res.status !== 200) throw new Error(`logout on ${baseUrl}: ${res.status}`);
}

/** The operator's cloud function (main.js) on `baseUrl`, with the master key. */
export async function operatorRevoke(baseUrl: string, userId: string): Promise<void> {
  const h = harness();
  const res = await fetch(`${baseUrl}/parse/functions/revokeUserSessions`, {
    method: 'POST',
    headers: {
      'X-Parse-Application-Id': h.appId,
      'X-Parse-Master-Key': h.masterKey,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({ user_id: userId }),
  });
  if (res.status !== 200) throw new Error(`revokeUserSessions on ${baseUrl}: ${res.status}`);
}
