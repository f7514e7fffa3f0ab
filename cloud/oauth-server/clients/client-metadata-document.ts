/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document; MCP authorization
 * 2025-11-25, "client_id_metadata_document_supported"): a `client_id` that is an https URL names
 * a JSON document describing the client, fetched by us.
 *
 * This module touches untrusted input (a URL and a document chosen by anyone), so the fetch is
 * fenced by the shared SSRF-safe fetcher (cloud/http/safe-fetch.ts): https only; every address
 * the host resolves to must be public (safe-address.ts), checked inside the socket's DNS lookup;
 * 5 s timeout; 64 KiB limit; no redirects; no cookies or credentials. Documents are cached for a
 * few minutes.
 *
 * OAUTH_CIMD_ALLOW_PRIVATE=1 (tests and local development only) also allows http and private or
 * loopback addresses.
 */
import { isIP } from 'node:net';
import { OAuthClientMetadataSchema } from '@modelcontextprotocol/sdk/shared/auth.js';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { getConfig } from '../../config';
import { safeGet, SafeFetchError } from '../../http/safe-fetch';
import { redirectUriProblem } from '../protocol/redirect-uri';
import { isPublicAddress } from './safe-address';
import type { ClientMetadata } from '../store/store';

export const CIMD_TIMEOUT_MS = 5000;
export const CIMD_MAX_BYTES = 64 * 1024;
export const CIMD_CACHE_TTL_MS = 5 * 60 * 1000;
const MAX_URL_LENGTH = 2000;

/** A client-safe reason why a metadata document cannot be used. */
export class ClientMetadataDocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientMetadataDocumentError';
  }
}

function allowPrivate(): boolean {
  return getConfig().oauthCimdAllowPrivate;
}

/** True when `clientId` should be treated as a metadata document URL (not a registered id). */
export function isMetadataDocumentClientId(clientId: string): boolean {
  return clientId.startsWith('https://') || (allowPrivate() && clientId.startsWith('http://'));
}

/** Draft section 3: https, a path, no fragment, no credentials, no dot segments. */
function checkClientIdUrl(clientId: string): URL {
  if (clientId.length > MAX_URL_LENGTH)
    throw new ClientMetadataDocumentError('The client_id URL is too long.');
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    throw new ClientMetadataDocumentError('The client_id is not a valid URL.');
  }
  const schemeOk = url.protocol === 'https:' || (allowPrivate() && url.protocol === 'http:');
  if (!schemeOk) throw new ClientMetadataDocumentError('A client_id URL must use https.');
  if (clientId.includes('#'))
    throw new ClientMetadataDocumentError('A client_id URL must not contain a fragment.');
  if (url.username || url.password)
    throw new ClientMetadataDocumentError('A client_id URL must not contain credentials.');
  if (url.pathname === '/' || url.pathname === '')
    throw new ClientMetadataDocumentError('A client_id URL must contain a path.');
  const rawPath = clientId.slice(clientId.indexOf('//') + 2).replace(/^[^/]*/, '');
  if (/(^|\/)\.\.?(\/|$|\?)/.test(rawPath))
    throw new ClientMetadataDocumentError('A client_id URL must not contain . or .. segments.');
  if (!allowPrivate()) {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0 && !isPublicAddress(host))
      throw new ClientMetadataDocumentError('The client_id URL points to a non-public address.');
  }
  return url;
}

/** Why a fetch failed, in the words the consent page shows. */
function documentError(err: unknown): ClientMetadataDocumentError {
  if (!(err instanceof SafeFetchError))
    return new ClientMetadataDocumentError('The client metadata document cannot be fetched.');
  switch (err.reason) {
    case 'redirect':
      return new ClientMetadataDocumentError(
        'The client metadata document redirects; redirects are not followed.',
      );
    case 'status':
      return new ClientMetadataDocumentError(
        `The client metadata document answered HTTP ${err.status ?? 0}.`,
      );
    case 'too_large':
      return new ClientMetadataDocumentError('The client metadata document is too large.');
    case 'timeout':
      return new ClientMetadataDocumentError('Fetching the client metadata document timed out.');
    case 'non_public':
      return new ClientMetadataDocumentError(
        'The client_id URL resolves to a non-public address; it cannot be fetched.',
      );
    case 'read_failed':
      return new ClientMetadataDocumentError('Reading the client metadata document failed.');
    default:
      return new ClientMetadataDocumentError('The client metadata document cannot be fetched.');
  }
}

/** GET `url` within the limits (cloud/http/safe-fetch.ts: public addresses only, no redirects). */
async function fetchDocument(url: URL): Promise<string> {
  try {
    const res = await safeGet(url.toString(), {
      timeoutMs: CIMD_TIMEOUT_MS,
      maxBytes: CIMD_MAX_BYTES,
      maxRedirects: 0,
      accept: 'application/json',
      userAgent: 'airtable-mcp-oauth/1',
      allowPrivate: allowPrivate(),
    });
    return res.body.toString('utf8');
  } catch (err) {
    throw documentError(err);
  }
}

const DocumentSchema = OAuthClientMetadataSchema.extend({
  client_id: z.string(),
  // Draft section 4.1: a document must not carry a shared secret.
  client_secret: z.undefined({ error: 'must not contain client_secret' }).optional(),
  client_secret_expires_at: z
    .undefined({ error: 'must not contain client_secret_expires_at' })
    .optional(),
});

/** Validates a fetched document for `clientId`; returns the metadata we accept. */
export function parseClientMetadataDocument(clientId: string, text: string): ClientMetadata {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ClientMetadataDocumentError('The client metadata document is not JSON.');
  }
  const parsed = DocumentSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ClientMetadataDocumentError(
      `The client metadata document is invalid: ${issue ? `${issue.path.join('.')} ${issue.message}` : 'bad shape'}.`,
    );
  }
  const doc = parsed.data;
  // Draft section 4.1: the document's client_id must be exactly the URL it was fetched from.
  if (doc.client_id !== clientId)
    throw new ClientMetadataDocumentError(
      'The client metadata document names another client_id than its own URL.',
    );
  const method = doc.token_endpoint_auth_method ?? 'none';
  if (method !== 'none')
    throw new ClientMetadataDocumentError(
      `token_endpoint_auth_method ${method.slice(0, 40)} is not supported for metadata-document clients; use none.`,
    );
  const redirectUris = doc.redirect_uris.filter((u) => redirectUriProblem(u) === undefined);
  if (redirectUris.length === 0)
    throw new ClientMetadataDocumentError(
      'The client metadata document lists no acceptable redirect_uris (https, or http on a loopback host).',
    );
  const metadata: ClientMetadata = {
    redirect_uris: redirectUris,
    token_endpoint_auth_method: 'none',
    grant_types: doc.grant_types ?? ['authorization_code', 'refresh_token'],
    response_types: doc.response_types ?? ['code'],
  };
  if (doc.client_name) metadata.client_name = doc.client_name.slice(0, 200);
  if (doc.client_uri) metadata.client_uri = doc.client_uri;
  if (doc.logo_uri) metadata.logo_uri = doc.logo_uri;
  if (doc.scope) metadata.scope = doc.scope;
  return metadata;
}

const cache = new LRUCache<string, ClientMetadata>({ max: 500, ttl: CIMD_CACHE_TTL_MS });
const inflight = new Map<string, Promise<ClientMetadata>>();

/** Tests: forget every cached document. */
export function clearClientMetadataDocumentCache(): void {
  cache.clear();
}

/** Fetches (or returns the cached) metadata of a URL-shaped client_id; throws a client-safe error. */
export async function resolveClientMetadataDocument(clientId: string): Promise<ClientMetadata> {
  const url = checkClientIdUrl(clientId);
  const hit = cache.get(clientId);
  if (hit) return structuredClone(hit);
  let pending = inflight.get(clientId);
  if (!pending) {
    pending = fetchDocument(url).then((text) => parseClientMetadataDocument(clientId, text));
    inflight.set(clientId, pending);
    pending
      .then((metadata) => cache.set(clientId, metadata))
      .catch(() => undefined)
      .finally(() => inflight.delete(clientId));
  }
  return structuredClone(await pending);
}
