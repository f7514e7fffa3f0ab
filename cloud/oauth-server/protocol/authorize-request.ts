/**
 * Validation of an authorization request (GET /authorize), in the order RFC 6749 section
 * 4.1.2.1 requires. Every error found here is shown to the person as a page, never redirected:
 * before the client and its exact redirect URI are known that is what the RFC requires, and
 * afterwards too, because every client here registered itself (DCR) or describes itself (CIMD),
 * so its redirect URI is unverified, and redirecting errors to it before the person interacted
 * would make this server an open redirector anyone can mint (RFC 9700 section 4.11.2). Once the
 * person answered the consent page, errors go back to the client (decision.ts). Parameters are
 * read from the raw query string, so a repeated parameter is caught (RFC 6749 section 3.1)
 * whatever query parser the host app uses.
 */
import { z } from 'zod';
import type { Config } from '../../config';
import { publicUrlAliases } from '../../http/public-origin';
import { findClient, type ResolvedClient } from '../clients/clients';
import {
  InvalidClientError,
  InvalidRequestError,
  InvalidTargetError,
  OAuthError,
  UnsupportedResponseTypeError,
} from './errors';
import type { OAuthCoreDeps } from '../options';
import { CODE_CHALLENGE_PATTERN } from './pkce';
import { isRegisteredRedirectUri } from './redirect-uri';
import { parseScope, SUPPORTED_SCOPES } from './scopes';
import type { ConsentRequest } from '../store/store';

export type AuthorizeOutcome =
  | { kind: 'ok'; client: ResolvedClient; request: ConsentRequest }
  /** Shown on a page (see the header: never redirected before the person interacts). */
  | { kind: 'show'; error: OAuthError; status: number };

const short = z.string().max(2048);
const QuerySchema = z.object({
  client_id: short.optional(),
  redirect_uri: short.optional(),
  response_type: short.optional(),
  state: short.optional(),
  scope: short.optional(),
  code_challenge: short.optional(),
  code_challenge_method: short.optional(),
});

/**
 * RFC 8707 section 2: the resource the client asked for, which must be ours - PUBLIC_URL's /mcp,
 * or in development the /mcp of a loopback alias the client discovered us under
 * (cloud/http/public-origin.ts). Repeating it is allowed; two different ones are not.
 */
function requestedResource(values: string[], publicUrl: string): string {
  const ours = publicUrlAliases(publicUrl).map((u) => `${u}/mcp`);
  const asked = [...new Set(values.map((v) => v.replace(/\/+$/, '')))];
  if (asked.some((r) => !ours.includes(r)))
    throw new InvalidTargetError(`This server only grants access to the resource ${ours[0]}.`);
  if (asked.length > 1) throw new InvalidTargetError('Ask for one resource at a time.');
  return asked[0] ?? ours[0]!;
}

export async function validateAuthorizeRequest(
  deps: OAuthCoreDeps,
  params: URLSearchParams,
): Promise<AuthorizeOutcome> {
  const show = (error: OAuthError, status = 400): AuthorizeOutcome => ({
    kind: 'show',
    error,
    status,
  });
  const repeated = [...new Set([...params.keys()])].filter(
    (k) => k !== 'resource' && params.getAll(k).length > 1,
  );
  const first = Object.fromEntries([...params.keys()].map((k) => [k, params.get(k) ?? '']));
  const parsed = QuerySchema.safeParse(first);
  if (!parsed.success) return show(new InvalidRequestError('A parameter is too long.'));
  const q = parsed.data;

  if (!q.client_id) return show(new InvalidRequestError('client_id is required.'));
  if (repeated.includes('client_id') || repeated.includes('redirect_uri'))
    return show(new InvalidRequestError('client_id and redirect_uri must appear once.'));
  const found = await findClient(deps, q.client_id);
  if (!found.ok) return show(new InvalidClientError(found.message));
  const client = found.client;
  if (!q.redirect_uri) return show(new InvalidRequestError('redirect_uri is required.'));
  if (!isRegisteredRedirectUri(client.metadata.redirect_uris, q.redirect_uri))
    return show(
      new InvalidRequestError(
        'redirect_uri does not exactly match a URI registered by this client.',
      ),
    );

  try {
    if (repeated.length > 0)
      throw new InvalidRequestError(`Parameter ${repeated[0]} appears more than once.`);
    if (!q.response_type) throw new InvalidRequestError('response_type is required.');
    if (q.response_type !== 'code' || !client.metadata.response_types.includes('code'))
      throw new UnsupportedResponseTypeError('Only response_type=code is supported.');
    if (!q.code_challenge)
      throw new InvalidRequestError('code_challenge is required (PKCE with S256).');
    if (q.code_challenge_method !== 'S256')
      throw new InvalidRequestError('code_challenge_method must be S256 (plain is not accepted).');
    if (!CODE_CHALLENGE_PATTERN.test(q.code_challenge))
      throw new InvalidRequestError('code_challenge must be 43 base64url characters (S256).');
    const resource = requestedResource(params.getAll('resource'), deps.config.publicUrl);
    const allowed = client.metadata.scope ? client.metadata.scope.split(' ') : SUPPORTED_SCOPES;
    const scopes = parseScope(q.scope, allowed);
    const request: ConsentRequest = {
      clientId: client.clientId,
      redirectUri: q.redirect_uri,
      codeChallenge: q.code_challenge,
      resource,
      scopes,
    };
    if (q.state !== undefined) request.state = q.state;
    return { kind: 'ok', client, request };
  } catch (err) {
    if (err instanceof OAuthError) return show(err);
    throw err;
  }
}

/** The parameters of a request as sent, independent of the host app's query parser. */
export function rawQuery(originalUrl: string, config: Pick<Config, 'publicUrl'>): URLSearchParams {
  return new URL(originalUrl, config.publicUrl).searchParams;
}
