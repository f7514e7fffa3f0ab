/**
 * GET /v0/meta/whoami (airtable.com/developers/web/api/get-user-id-scopes): no scope needed;
 * `email` only with user.email:read, `scopes` only for OAuth access tokens.
 */
import type { ApiRequest } from './request';
import { onlyQueryParams } from './request';

export function whoami(r: ApiRequest): unknown {
  onlyQueryParams(r.url, /^$/);
  const p = r.principal;
  const user = r.ctx.store.users.get(p.userId)!;
  return {
    id: user.id,
    ...(p.scopes.has('user.email:read') ? { email: user.email } : {}),
    ...(p.kind === 'oauth' ? { scopes: [...p.scopes] } : {}),
  };
}
