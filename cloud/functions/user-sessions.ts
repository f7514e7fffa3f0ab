/**
 * Operator cloud functions, master key only (usable from the Back4App dashboard's API console):
 * listUserSessions {user_id} -> sessions with platform, created and expiry (no secrets);
 * revokeUserSessions {user_id} -> ends them all and deletes the stored Airtable tokens.
 */
import { z } from 'zod';
import { getParse } from '../parse-runtime';
import type { Storage } from '../storage/base';

const Params = z.object({
  user_id: z
    .string()
    .regex(/^usr[A-Za-z0-9]{1,40}$/, 'user_id must be an Airtable user id (usr...)'),
});

function parseParams(params: unknown): string {
  const parsed = Params.safeParse(params);
  if (!parsed.success) {
    const Parse = getParse();
    throw new Parse.Error(
      Parse.Error.INVALID_JSON,
      parsed.error.issues.map((i) => i.message).join('; '),
    );
  }
  return parsed.data.user_id;
}

export function registerUserSessionFunctions(
  storage: Storage,
  revokeUserGrants?: (userId: string) => Promise<number>,
): void {
  const Parse = getParse();
  Parse.Cloud.define(
    'listUserSessions',
    async (request) => {
      const userId = parseParams(request.params);
      const sessions = await storage.listUserSessions(userId);
      return sessions.map((s) => ({
        id: s.id,
        platform: s.data.platform,
        kind: s.data.kind,
        client_id: s.data.clientId ?? null,
        created_at: s.createdAt.toISOString(),
        expires_at: s.expiresAt.toISOString(),
      }));
    },
    { requireMaster: true },
  );
  Parse.Cloud.define(
    'revokeUserSessions',
    async (request) => {
      const userId = parseParams(request.params);
      const grants = revokeUserGrants ? await revokeUserGrants(userId) : 0;
      const revoked = await storage.revokeUserSessions(userId);
      await storage.deleteUserTokens(userId);
      return { revoked_sessions: revoked, revoked_grants: grants, airtable_tokens_deleted: true };
    },
    { requireMaster: true },
  );
}
