/**
 * Authorization responses sent back to the client's redirect URI (RFC 6749 sections 4.1.2 and
 * 4.1.2.1): `code` or `error` + `error_description`, always `state` when the client sent one and
 * `iss` (RFC 9207 section 2). Existing query parameters of a registered URI are kept (RFC 6749
 * section 3.1.2).
 */
import type { Config } from '../../config';
import { publicUrlAliases } from '../../http/public-origin';
import { issuer } from './metadata';

export interface RedirectTarget {
  redirectUri: string;
  state?: string | undefined;
  /**
   * The resource the client asked for: `iss` is the issuer it discovered next to it (in
   * development a loopback alias of PUBLIC_URL, cloud/http/public-origin.ts).
   */
  resource?: string | undefined;
}

function build(
  config: Pick<Config, 'publicUrl'>,
  target: RedirectTarget,
  params: [string, string][],
): string {
  const url = new URL(target.redirectUri);
  for (const [k, v] of params) url.searchParams.set(k, v);
  if (target.state !== undefined) url.searchParams.set('state', target.state);
  url.searchParams.set('iss', issuerOfResource(config, target.resource));
  return url.toString();
}

/** Our issuer for a resource of ours (`<issuer>/mcp`), else PUBLIC_URL's. */
function issuerOfResource(config: Pick<Config, 'publicUrl'>, resource: string | undefined): string {
  const suffix = '/mcp';
  if (resource?.endsWith(suffix)) {
    const candidate = resource.slice(0, -suffix.length);
    if (publicUrlAliases(config.publicUrl).includes(candidate)) return candidate;
  }
  return issuer(config);
}

export function successRedirect(
  config: Pick<Config, 'publicUrl'>,
  target: RedirectTarget,
  code: string,
): string {
  return build(config, target, [['code', code]]);
}

/**
 * The redirect that tells the client its authorization request failed. Exported for the lead's
 * /auth/callback (e.g. `access_denied` when the person refused at Airtable).
 */
export function errorRedirect(
  config: Pick<Config, 'publicUrl'>,
  target: RedirectTarget,
  error: string,
  description?: string,
): string {
  const params: [string, string][] = [['error', error]];
  if (description) params.push(['error_description', description]);
  return build(config, target, params);
}
