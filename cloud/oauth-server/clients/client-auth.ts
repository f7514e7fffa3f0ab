/**
 * Client authentication at the token and revocation endpoints (RFC 6749 section 2.3.1, RFC 7009
 * section 2.1): public clients identify themselves with `client_id` only; confidential clients
 * send their secret with HTTP Basic or in the body. Registered clients may use either secret
 * method (both carry the same secret over TLS); a client must not use more than one method
 * (RFC 6749 section 2.3). Every failure is invalid_client (401): an unknown client_id is what
 * makes Claude register again.
 */
import type { Request } from 'express';
import { constantTimeEqual, keyedHash } from '../../crypto/keyed-hash';
import { findClient, type ResolvedClient } from './clients';
import { InvalidClientError, InvalidRequestError } from '../protocol/errors';
import { HASH_PURPOSE, type OAuthCoreDeps } from '../options';

export interface PresentedClient {
  clientId: string | undefined;
  clientSecret: string | undefined;
  /** The Authorization header carried Basic credentials (invalid_client then adds a challenge). */
  usedBasic: boolean;
}

/** RFC 6749 section 2.3.1: Basic credentials are form-urlencoded before base64. */
function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    throw new InvalidRequestError('The Basic credentials are not form-urlencoded.');
  }
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Reads client credentials from the Authorization header and the (already parsed) body. */
export function presentedClient(req: Request, body: Record<string, unknown>): PresentedClient {
  const bodyId = nonEmpty(body.client_id);
  const bodySecret = nonEmpty(body.client_secret);
  const header = req.headers.authorization;
  const basic = header ? /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header) : null;
  if (!basic) return { clientId: bodyId, clientSecret: bodySecret, usedBasic: false };
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new InvalidRequestError('Malformed Basic credentials.');
  const id = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  if (bodySecret !== undefined)
    throw new InvalidRequestError(
      'Use one client authentication method: Basic or client_secret in the body, not both.',
    );
  if (bodyId !== undefined && bodyId !== id)
    throw new InvalidRequestError('client_id in the body differs from the Basic credentials.');
  return { clientId: id, clientSecret: secret.length > 0 ? secret : undefined, usedBasic: true };
}

/** Authenticates the calling client or throws InvalidClientError. */
export async function authenticateClient(
  deps: OAuthCoreDeps,
  presented: PresentedClient,
): Promise<ResolvedClient> {
  if (!presented.clientId) throw new InvalidClientError('client_id is required.');
  const found = await findClient(deps, presented.clientId);
  if (!found.ok) throw new InvalidClientError(found.message);
  const client = found.client;
  if (!client.secretHash) {
    if (presented.clientSecret !== undefined)
      throw new InvalidClientError(
        'This client is public (token_endpoint_auth_method none); send no secret.',
      );
    return client;
  }
  if (presented.clientSecret === undefined)
    throw new InvalidClientError('This client must authenticate with its client_secret.');
  const hash = keyedHash(deps.config.secretKey, HASH_PURPOSE.clientSecret, presented.clientSecret);
  if (!constantTimeEqual(hash, client.secretHash))
    throw new InvalidClientError('Client authentication failed.');
  return client;
}
