/**
 * Discovery documents: Protected Resource Metadata (RFC 9728) for the MCP endpoint and
 * Authorization Server Metadata (RFC 8414), plus the `WWW-Authenticate` challenge the MCP
 * endpoint sends with a 401 (RFC 9728 section 5.1, RFC 6750 section 3).
 */
import type {
  OAuthMetadata,
  OAuthProtectedResourceMetadata,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import type { Config } from '../../config';
import { SUPPORTED_SCOPES } from './scopes';

type UrlConfig = Pick<Config, 'publicUrl'>;

/** Our issuer identifier (RFC 8414 section 2): the public origin, no trailing slash. */
export function issuer(config: UrlConfig): string {
  return config.publicUrl.replace(/\/+$/, '');
}

/** The MCP endpoint as an RFC 8707 resource / RFC 9728 `resource` value. */
export function resourceUrl(config: UrlConfig): string {
  return `${issuer(config)}/mcp`;
}

/**
 * Where clients find the protected resource metadata: the well-known URI with the resource's path
 * appended (RFC 9728 section 3.1), which MCP clients try first.
 */
export function resourceMetadataUrl(config: UrlConfig): string {
  return `${issuer(config)}/.well-known/oauth-protected-resource/mcp`;
}

export function protectedResourceMetadata(config: UrlConfig): OAuthProtectedResourceMetadata {
  return {
    resource: resourceUrl(config),
    authorization_servers: [issuer(config)],
    scopes_supported: [...SUPPORTED_SCOPES],
    bearer_methods_supported: ['header'],
    resource_name: 'Airtable MCP server',
  };
}

export function authorizationServerMetadata(config: UrlConfig): OAuthMetadata {
  const base = issuer(config);
  return {
    issuer: base,
    authorization_endpoint: `${base}/authorize`,
    token_endpoint: `${base}/token`,
    registration_endpoint: `${base}/register`,
    revocation_endpoint: `${base}/revoke`,
    scopes_supported: [...SUPPORTED_SCOPES],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
    revocation_endpoint_auth_methods_supported: [
      'none',
      'client_secret_basic',
      'client_secret_post',
    ],
    code_challenge_methods_supported: ['S256'],
    client_id_metadata_document_supported: true,
    // RFC 9207 section 3: we add `iss` to every authorization response.
    authorization_response_iss_parameter_supported: true,
  };
}

/** RFC 7230 section 3.2.6 quoted-string: escape `\` and `"`, drop control characters. */
function quoted(value: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return `"${clean.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export interface ChallengeOptions {
  /** RFC 6750 section 3.1: invalid_request, invalid_token or insufficient_scope. */
  error?: string;
  errorDescription?: string;
  /** Space-separated scopes the request needs (RFC 6750 section 3, MCP scope selection). */
  scope?: string;
}

/**
 * `Bearer error="...", error_description="...", resource_metadata="...", scope="..."` for a 401
 * or 403 from the MCP endpoint; `resource_metadata` is always present (RFC 9728 section 5.1).
 */
export function wwwAuthenticate(config: UrlConfig, opts: ChallengeOptions = {}): string {
  const params: string[] = [];
  if (opts.error) params.push(`error=${quoted(opts.error)}`);
  if (opts.errorDescription) params.push(`error_description=${quoted(opts.errorDescription)}`);
  params.push(`resource_metadata=${quoted(resourceMetadataUrl(config))}`);
  if (opts.scope) params.push(`scope=${quoted(opts.scope)}`);
  return `Bearer ${params.join(', ')}`;
}
