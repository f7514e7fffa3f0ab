/**
 * What happens once a user approves or denies an authorization request: a single-use code valid
 * for 10 minutes (oauth-reference), or `error=access_denied`, sent back through the redirect URI.
 */
import type { FakeContext } from '../context';
import { AuthorizePageError } from '../http/errors';
import { newOpaqueSecret } from '../ids';
import type { BaseGrant } from '../state/model';
import { withQuery, type ValidAuthorizeRequest } from './authorize-request';

export interface DecisionResult {
  location: string;
  code?: string;
  state: string;
  error?: string;
  error_description?: string;
}

export function decide(
  ctx: FakeContext,
  request: ValidAuthorizeRequest,
  decision: 'approve' | 'deny',
  userId: string | undefined,
  baseIds: string[],
): DecisionResult {
  if (decision === 'deny') {
    const description = 'The user denied access.';
    return {
      location: withQuery(request.redirectUri, {
        error: 'access_denied',
        error_description: description,
        state: request.state,
      }),
      state: request.state,
      error: 'access_denied',
      error_description: description,
    };
  }
  const user = userId ? ctx.store.users.get(userId) : undefined;
  if (!user) throw new AuthorizePageError('invalid_request', `Unknown user "${userId ?? ''}".`);
  let bases: BaseGrant = 'all';
  if (baseIds.length > 0) {
    for (const id of baseIds) {
      const level = ctx.store.bases.get(id)?.collaborators.get(user.id);
      if (!level || level === 'none')
        throw new AuthorizePageError(
          'invalid_request',
          `User ${user.id} cannot grant base "${id}": not a collaborator.`,
        );
    }
    bases = new Set(baseIds);
  }
  const code = newOpaqueSecret('oac');
  ctx.store.codes.set(code, {
    code,
    clientId: request.client.clientId,
    redirectUri: request.redirectUri,
    codeChallenge: request.codeChallenge,
    scopes: request.scopes,
    userId: user.id,
    bases,
    createdAt: ctx.clock.now(),
    used: false,
  });
  return {
    location: withQuery(request.redirectUri, { code, state: request.state }),
    code,
    state: request.state,
  };
}
