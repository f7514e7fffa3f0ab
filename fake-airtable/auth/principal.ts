/**
 * Who is calling the Web API: an OAuth access token or a personal access token, with its scopes
 * and the bases it may reach (airtable.com/developers/web/api/authentication). A base the token
 * cannot see answers 403 INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND, exactly like a missing base.
 */
import type { IncomingMessage } from 'node:http';
import type { FakeContext } from '../context';
import { ApiError, authenticationRequired, invalidPermissions } from '../http/errors';
import { PAT_PATTERN } from '../ids';
import { grantForAccessToken } from '../oauth/grants';
import {
  atLeast,
  type Base,
  type BaseGrant,
  type PermissionLevel,
  type Scope,
} from '../state/model';

export interface Principal {
  kind: 'oauth' | 'pat';
  userId: string;
  scopes: ReadonlySet<Scope>;
  /** Base ids, and workspace ids whose bases (present and future) the token may reach. */
  bases: BaseGrant;
  /** The OAuth integration (oauth tokens only): webhooks are per integration. */
  clientId?: string;
}

export function resolvePrincipal(ctx: FakeContext, req: IncomingMessage): Principal {
  const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
  if (!m) throw authenticationRequired();
  const token = m[1]!;
  if (PAT_PATTERN.test(token)) {
    const pat = ctx.store.pats.get(token);
    if (!pat || pat.revoked || !ctx.store.users.has(pat.userId)) throw authenticationRequired();
    return { kind: 'pat', userId: pat.userId, scopes: pat.scopes, bases: pat.bases };
  }
  const grant = grantForAccessToken(ctx, token);
  if (!grant) throw authenticationRequired();
  return {
    kind: 'oauth',
    userId: grant.userId,
    scopes: new Set(grant.scopes),
    bases: grant.bases,
    clientId: grant.clientId,
  };
}

export function requireScope(p: Principal, scope: Scope): void {
  if (!p.scopes.has(scope)) throw invalidPermissions(`the token lacks the ${scope} scope`);
}

/** The user's permission on a base through this token ('none' when the token cannot see it). */
export function permissionOn(p: Principal, base: Base): PermissionLevel {
  if (p.bases !== 'all' && !p.bases.has(base.id)) {
    // A token granted a workspace reaches every base in it (PAT access lists take workspaces).
    if (!base.workspaceId || !p.bases.has(base.workspaceId)) return 'none';
  }
  return base.collaborators.get(p.userId) ?? 'none';
}

/** The base, when the token can see it and the user has at least `needed` on it. */
export function accessBase(
  ctx: FakeContext,
  p: Principal,
  baseId: string,
  needed: PermissionLevel,
): Base {
  const base = ctx.store.bases.get(baseId);
  if (!base) throw invalidPermissions('no such base');
  const level = permissionOn(p, base);
  if (level === 'none') throw invalidPermissions('the token cannot reach this base');
  if (!atLeast(level, needed))
    throw new ApiError(
      403,
      'INVALID_PERMISSIONS',
      `You are not permitted to perform this operation: it needs "${needed}" permission on the base, the user has "${level}".`,
    );
  return base;
}
