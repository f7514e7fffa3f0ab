/**
 * Finding a client by client_id: a registered one (OAuthClient, RFC 7591) or, for an https URL,
 * its Client ID Metadata Document. Registered clients slide their idle expiry forward on use.
 */
import {
  ClientMetadataDocumentError,
  isMetadataDocumentClientId,
  resolveClientMetadataDocument,
} from './client-metadata-document';
import { timings, type OAuthCoreDeps } from '../options';
import type { ClientMetadata } from '../store/store';

export interface ResolvedClient {
  clientId: string;
  metadata: ClientMetadata;
  /** Set for confidential clients (registered with a secret). */
  secretHash?: string;
  source: 'registered' | 'metadata-document';
  /** Registered clients only: when the idle expiry hits. */
  expiresAt?: Date;
}

/** Registered client ids are ours: base64url, fixed shape. Anything else is not looked up. */
const REGISTERED_ID = /^[A-Za-z0-9_-]{16,64}$/;

export type ClientLookup =
  | { ok: true; client: ResolvedClient }
  | { ok: false; reason: 'unknown' | 'invalid_document'; message: string };

export async function findClient(deps: OAuthCoreDeps, clientId: string): Promise<ClientLookup> {
  if (isMetadataDocumentClientId(clientId)) {
    try {
      const metadata = await resolveClientMetadataDocument(clientId);
      return { ok: true, client: { clientId, metadata, source: 'metadata-document' } };
    } catch (err) {
      if (err instanceof ClientMetadataDocumentError)
        return { ok: false, reason: 'invalid_document', message: err.message };
      throw err;
    }
  }
  const unknown = {
    ok: false as const,
    reason: 'unknown' as const,
    message:
      'Unknown client_id: the client is not registered (or its registration expired); register again.',
  };
  if (!REGISTERED_ID.test(clientId)) return unknown;
  const record = await deps.oauthStore.getClient(clientId);
  if (!record) return unknown;
  const client: ResolvedClient = {
    clientId,
    metadata: record.metadata,
    source: 'registered',
    expiresAt: record.expiresAt,
  };
  if (record.secretHash) client.secretHash = record.secretHash;
  return { ok: true, client };
}

const TOUCH_SLACK_MS = 24 * 60 * 60 * 1000;

/**
 * Keeps a used client alive for another idle period (at most one write a day per client). The
 * first token a client gets moves it from its short unused lifetime (clientUnusedTtlMs) to this.
 */
export async function touchClient(deps: OAuthCoreDeps, client: ResolvedClient): Promise<void> {
  if (client.source !== 'registered' || !client.expiresAt) return;
  const target = new Date(deps.now().getTime() + timings(deps).clientIdleTtlMs);
  if (target.getTime() - client.expiresAt.getTime() < TOUCH_SLACK_MS) return;
  await deps.oauthStore.touchClient(client.clientId, target);
}
