/**
 * Client authentication at the token endpoint (airtable.com/developers/web/api/oauth-reference):
 * an integration with a client secret MUST send `Authorization: Basic base64(client_id:client_secret)`;
 * one without a secret MUST NOT, and sends `client_id` in the body instead. Anything else is
 * 401 invalid_client (RFC 6749 section 5.2). `client_secret` in the body is not accepted.
 *
 * The Basic credentials are compared RAW, as Airtable's docs and reference client
 * (github.com/Airtable/oauth-example) build them: the RFC 6749 section 2.3.1 variant that
 * form-encodes id and secret first (`-` -> `%2D`) is refused whenever the encoding changes them,
 * since nothing says Airtable decodes it - a client that sends it must fail here, not in production.
 */
import type { IncomingMessage } from 'node:http';
import type { FakeContext } from '../context';
import { invalidClient } from '../http/errors';
import type { OAuthClient } from '../state/model';
import { constantTimeEqual } from './pkce';

function decodeBasic(header: string): { id: string; secret: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  return { id: decoded.slice(0, i), secret: decoded.slice(i + 1) };
}

export function authenticateClient(
  ctx: FakeContext,
  req: IncomingMessage,
  body: URLSearchParams,
): OAuthClient {
  const header = req.headers.authorization;
  if (body.has('client_secret'))
    throw invalidClient('Do not send client_secret in the body: use HTTP Basic authentication.');
  if (header !== undefined) {
    const basic = decodeBasic(header);
    if (!basic) throw invalidClient('Malformed Authorization header: expected HTTP Basic.');
    const client = ctx.store.clients.get(basic.id);
    if (!client)
      throw invalidClient(
        /%[0-9A-Fa-f]{2}/.test(basic.id)
          ? 'Unknown client_id (it looks form-encoded: send the raw client_id:client_secret in HTTP Basic).'
          : 'Unknown client_id.',
      );
    if (client.clientSecret === null)
      throw invalidClient(
        'This integration has no client secret: do not send an Authorization header, send client_id in the body.',
      );
    if (!constantTimeEqual(basic.secret, client.clientSecret))
      throw invalidClient('Invalid client secret.');
    const bodyId = body.get('client_id');
    if (bodyId !== null && bodyId !== client.clientId)
      throw invalidClient(
        'client_id in the body differs from the one in the Authorization header.',
      );
    return client;
  }
  const clientId = body.get('client_id');
  if (!clientId)
    throw invalidClient('Client authentication missing: send client_id (or HTTP Basic).');
  const client = ctx.store.clients.get(clientId);
  if (!client) throw invalidClient('Unknown client_id.');
  if (client.clientSecret !== null)
    throw invalidClient(
      'This integration has a client secret: authenticate with HTTP Basic base64(client_id:client_secret).',
    );
  return client;
}
