/**
 * POST /register: Dynamic Client Registration (RFC 7591). Public clients (none) get a client_id;
 * confidential ones (client_secret_basic, client_secret_post) also a secret, shown once and kept
 * only as a keyed hash. Rate-limited per IP by the router.
 */
import { count } from '../../observability/metrics';
import type { Request, Response } from 'express';
import { OAuthClientMetadataSchema } from '@modelcontextprotocol/sdk/shared/auth.js';
import { keyedHash, randomSecret } from '../../crypto/keyed-hash';
import { readBody } from '../../http/body';
import {
  InvalidClientMetadataError,
  InvalidRedirectUriError,
  sendOAuthError,
} from '../protocol/errors';
import { HASH_PURPOSE, timings, type OAuthCoreDeps } from '../options';
import { redirectUriProblem } from '../protocol/redirect-uri';
import { isScope, scopeString } from '../protocol/scopes';
import type { ClientMetadata, ClientRecord, TokenEndpointAuthMethod } from '../store/store';

const AUTH_METHODS: readonly TokenEndpointAuthMethod[] = [
  'none',
  'client_secret_basic',
  'client_secret_post',
];
const GRANT_TYPES = ['authorization_code', 'refresh_token'];
const MAX_REDIRECT_URIS = 10;
const MAX_NAME = 200;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function cleanText(value: string | undefined, max: number): string | undefined {
  // eslint-disable-next-line no-control-regex
  const clean = value?.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return clean ? clean.slice(0, max) : undefined;
}

/** Validates a registration request into the metadata we store (RFC 7591 section 2). */
export function validateClientMetadata(body: unknown): ClientMetadata {
  if (!isObject(body))
    throw new InvalidClientMetadataError('The registration request must be a JSON object.');
  // Redirect URIs first, so their problems get the specific error code (RFC 7591 section 3.2.2).
  const uris = body.redirect_uris;
  if (!Array.isArray(uris) || uris.length === 0)
    throw new InvalidRedirectUriError('redirect_uris must be a non-empty array of URLs.');
  if (uris.length > MAX_REDIRECT_URIS)
    throw new InvalidRedirectUriError(`At most ${MAX_REDIRECT_URIS} redirect_uris are accepted.`);
  uris.forEach((uri, i) => {
    const problem = typeof uri === 'string' ? redirectUriProblem(uri) : 'is not a string';
    if (problem) throw new InvalidRedirectUriError(`redirect_uris[${i}] ${problem}.`);
  });

  const parsed = OAuthClientMetadataSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidClientMetadataError(
      issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'Invalid client metadata.',
    );
  }
  const m = parsed.data;

  // RFC 7591 section 2: the default method is client_secret_basic.
  const method = (m.token_endpoint_auth_method ?? 'client_secret_basic') as TokenEndpointAuthMethod;
  if (!AUTH_METHODS.includes(method))
    throw new InvalidClientMetadataError(
      `token_endpoint_auth_method must be one of ${AUTH_METHODS.join(', ')}.`,
    );
  // Our default includes refresh_token (MCP clients expect rotating refresh tokens).
  const grantTypes = [...new Set(m.grant_types ?? GRANT_TYPES)];
  const badGrant = grantTypes.find((g) => !GRANT_TYPES.includes(g));
  if (badGrant !== undefined)
    throw new InvalidClientMetadataError(
      `grant_type ${badGrant.slice(0, 60)} is not supported; use authorization_code and refresh_token.`,
    );
  if (!grantTypes.includes('authorization_code'))
    throw new InvalidClientMetadataError('grant_types must include authorization_code.');
  const responseTypes = [...new Set(m.response_types ?? ['code'])];
  if (responseTypes.some((r) => r !== 'code'))
    throw new InvalidClientMetadataError('response_types may only contain "code".');

  const metadata: ClientMetadata = {
    redirect_uris: [...new Set(m.redirect_uris)],
    token_endpoint_auth_method: method,
    grant_types: grantTypes,
    response_types: responseTypes,
  };
  const name = cleanText(m.client_name, MAX_NAME);
  if (name) metadata.client_name = name;
  if (m.client_uri) metadata.client_uri = m.client_uri;
  if (m.logo_uri) metadata.logo_uri = m.logo_uri;
  if (m.tos_uri) metadata.tos_uri = m.tos_uri;
  if (m.policy_uri) metadata.policy_uri = cleanText(m.policy_uri, 2000);
  if (m.contacts) metadata.contacts = m.contacts.slice(0, 10).map((c) => c.slice(0, 200));
  if (m.software_id) metadata.software_id = cleanText(m.software_id, 200);
  if (m.software_version) metadata.software_version = cleanText(m.software_version, 100);
  // Unknown scopes are dropped (RFC 7591 section 2 lets the server replace requested values);
  // none left means "every scope".
  const scopes = (m.scope ?? '').split(' ').filter(isScope);
  if (scopes.length > 0) metadata.scope = scopeString(scopes);
  return metadata;
}

export function registerHandler(deps: OAuthCoreDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    try {
      const metadata = validateClientMetadata(await readBody(req, 16 * 1024));
      const now = deps.now();
      const clientId = randomSecret(24);
      const secret = metadata.token_endpoint_auth_method === 'none' ? undefined : randomSecret(32);
      const record: ClientRecord = {
        clientId,
        metadata,
        issuedAt: now,
        // Until its first token (touchClient then gives it the idle lifetime).
        expiresAt: new Date(now.getTime() + timings(deps).clientUnusedTtlMs),
      };
      if (secret)
        record.secretHash = keyedHash(deps.config.secretKey, HASH_PURPOSE.clientSecret, secret);
      await deps.oauthStore.createClient(record);
      count('oauth_clients_registered');
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Pragma', 'no-cache');
      // RFC 7591 section 3.2.1: the client information plus every registered metadata value.
      res.status(201).json({
        client_id: clientId,
        client_id_issued_at: Math.floor(now.getTime() / 1000),
        ...(secret ? { client_secret: secret, client_secret_expires_at: 0 } : {}),
        ...metadata,
      });
    } catch (err) {
      sendOAuthError(res, err, req);
    }
  };
}
