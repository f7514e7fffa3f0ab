/**
 * Validation of GET /oauth2/v1/authorize (airtable.com/developers/web/api/oauth-reference, RFC 6749
 * section 4.1.2.1): an unknown client or a redirect_uri that is not registered exactly is shown as
 * an error page and never redirected; every later problem is sent back to the redirect URI with
 * `error`, `error_description` and `state`.
 */
import type { FakeContext } from '../context';
import type { OAuthClient, Scope } from '../state/model';
import { CODE_CHALLENGE_PATTERN, STATE_PATTERN } from './pkce';
import { parseScopes } from './scopes';

export interface ValidAuthorizeRequest {
  client: OAuthClient;
  redirectUri: string;
  scopes: Scope[];
  state: string;
  codeChallenge: string;
}

export type AuthorizeValidation =
  | { kind: 'ok'; request: ValidAuthorizeRequest }
  /** Do not redirect: show the error. */
  | { kind: 'page'; error: string; description: string }
  /** Redirect to `redirectUri` with the error. */
  | {
      kind: 'redirect';
      redirectUri: string;
      state: string | undefined;
      error: string;
      description: string;
    };

/** Reads a parameter that must appear at most once (RFC 6749 section 3.1). */
function single(params: URLSearchParams, name: string): string | undefined | 'duplicate' {
  const all = params.getAll(name);
  if (all.length > 1) return 'duplicate';
  return all[0];
}

export function validateAuthorize(ctx: FakeContext, params: URLSearchParams): AuthorizeValidation {
  const clientId = single(params, 'client_id');
  if (clientId === 'duplicate' || clientId === undefined)
    return {
      kind: 'page',
      error: 'invalid_request',
      description: 'client_id is missing or repeated.',
    };
  const client = ctx.store.clients.get(clientId);
  if (!client)
    return {
      kind: 'page',
      error: 'invalid_client',
      description: `Unknown client_id "${clientId}".`,
    };
  const redirectUri = single(params, 'redirect_uri');
  if (redirectUri === 'duplicate' || redirectUri === undefined)
    return {
      kind: 'page',
      error: 'invalid_request',
      description: 'redirect_uri is missing or repeated.',
    };
  if (!client.redirectUris.has(redirectUri))
    return {
      kind: 'page',
      error: 'invalid_request',
      description: `redirect_uri "${redirectUri}" does not exactly match a redirect URI registered for this integration.`,
    };

  const rawState = single(params, 'state');
  const state = rawState === 'duplicate' ? undefined : rawState;
  const fail = (error: string, description: string): AuthorizeValidation => ({
    kind: 'redirect',
    redirectUri,
    state,
    error,
    description,
  });

  for (const name of ['response_type', 'scope', 'state', 'code_challenge', 'code_challenge_method'])
    if (params.getAll(name).length > 1) return fail('invalid_request', `${name} is repeated.`);

  const responseType = params.get('response_type');
  if (responseType !== 'code')
    return fail('unsupported_response_type', 'response_type must be "code".');
  const method = params.get('code_challenge_method');
  if (method !== 'S256')
    return fail(
      'invalid_request',
      method === null
        ? 'code_challenge_method is required and must be "S256" (PKCE is mandatory).'
        : `code_challenge_method "${method}" is not supported: only "S256".`,
    );
  const challenge = params.get('code_challenge');
  if (challenge === null || !CODE_CHALLENGE_PATTERN.test(challenge))
    return fail('invalid_request', 'code_challenge must be 43-128 characters of [A-Za-z0-9._~-].');
  if (state === undefined || !STATE_PATTERN.test(state))
    return fail('invalid_request', 'state must be 16-1024 characters of [A-Za-z0-9._-].');
  const scopes = parseScopes(params.get('scope'));
  if (!scopes)
    return fail(
      'invalid_scope',
      'scope must be a non-empty, space-separated list of known scopes.',
    );
  return { kind: 'ok', request: { client, redirectUri, scopes, state, codeChallenge: challenge } };
}

/** The redirect URI with query parameters added (keeps any query the registered URI has). */
export function withQuery(redirectUri: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}
