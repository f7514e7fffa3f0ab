/**
 * A connection's Airtable access token, refreshed when it expires within 60 s. Refresh is
 * single-flight per stored credential (CredentialRef): one shared promise per process, and across processes a claim in the database
 * (Storage.claimRefresh, an atomic counter), because Airtable rotates refresh tokens and two
 * concurrent refreshes burn the grant (platform-facts.md, Airtable OAuth). The new pair is
 * persisted before it is used. 409 -> re-read; invalid_grant -> grant dead, reconnect; network
 * errors and 5xx -> keep the stored token and fail this call only.
 */
import type { AirtableOAuthClient } from '../airtable/oauth-client';
import { AirtableOAuthError } from '../airtable/oauth-client';
import { log } from '../log';
import { oauthCredential } from './credential';
import type { AirtableCredential, CredentialRef, Storage, UserTokenRecord } from '../storage/base';
import { credentialKey, CredentialUnreadableError, REFRESH_MARGIN_MS } from '../storage/base';
import { ReconnectRequiredError, UpstreamUnavailableError } from './errors';

export { REFRESH_MARGIN_MS };
/** A claim older than this is presumed dead (its holder crashed); above the OAuth timeout. */
export const REFRESH_LEASE_MS = 30_000;
/** How long a caller waits for another process's refresh beyond the lease (then claims itself). */
const WAIT_BEYOND_LEASE_MS = 10_000;

export interface AirtableGrantOptions {
  storage: Storage;
  /** Undefined when no OAuth integration is configured (PAT-only deployments). */
  oauth: AirtableOAuthClient | undefined;
  reconnectUrl: string;
  now?: () => Date;
  /** Refresh claim lease (REFRESH_LEASE_MS env; default 30 s): how long a crashed holder blocks. */
  leaseMs?: number;
}

const inFlight = new Map<string, Promise<string>>();

export class AirtableGrant {
  private readonly now: () => Date;

  constructor(private readonly opts: AirtableGrantOptions) {
    this.now = opts.now ?? (() => new Date());
  }

  /** `fresh`: straight from the store (after a 401, and while waiting for another's refresh). */
  private async read(ref: CredentialRef, fresh = false): Promise<UserTokenRecord> {
    let rec: UserTokenRecord | null;
    try {
      rec = await this.opts.storage.getUserToken(ref, { fresh });
    } catch (err) {
      if (err instanceof CredentialUnreadableError)
        throw new ReconnectRequiredError(
          'Your stored Airtable credential can no longer be read.',
          this.opts.reconnectUrl,
        );
      throw err;
    }
    if (!rec)
      throw new ReconnectRequiredError(
        'No Airtable credential is stored for you.',
        this.opts.reconnectUrl,
      );
    if (rec.status === 'dead')
      throw new ReconnectRequiredError(
        'Airtable revoked or expired your authorization.',
        this.opts.reconnectUrl,
      );
    return rec;
  }

  private fresh(cred: AirtableCredential): boolean {
    if (cred.kind === 'pat' || !cred.accessExpiresAt) return true;
    return Date.parse(cred.accessExpiresAt) - this.now().getTime() > REFRESH_MARGIN_MS;
  }

  /** The access token to send to Airtable for this connection, refreshed first if needed. */
  async accessToken(ref: CredentialRef, known?: UserTokenRecord): Promise<string> {
    // `known`: the record the caller just read (saves a second read and decryption).
    const rec = known && known.status !== 'dead' ? known : await this.read(ref);
    if (this.fresh(rec.credential)) return rec.credential.accessToken;
    return this.refreshOnce(ref, rec.credential.accessToken);
  }

  /**
   * After Airtable answered 401 to `staleToken`: refresh once (OAuth) unless someone already did;
   * null when the person must reconnect (PAT refused, grant dead).
   */
  async afterUnauthorized(ref: CredentialRef, staleToken: string): Promise<string | null> {
    const rec = await this.read(ref, true).catch(() => null);
    if (!rec) return null;
    if (rec.credential.accessToken !== staleToken) return rec.credential.accessToken;
    if (rec.credential.kind === 'pat') return null;
    return this.refreshOnce(ref, staleToken).catch(() => null);
  }

  private refreshOnce(ref: CredentialRef, staleToken: string): Promise<string> {
    const key = credentialKey(ref);
    const running = inFlight.get(key);
    if (running) return running;
    const p = this.refreshAcrossProcesses(ref, staleToken).finally(() => inFlight.delete(key));
    inFlight.set(key, p);
    return p;
  }

  private async refreshAcrossProcesses(ref: CredentialRef, staleToken: string): Promise<string> {
    const userId = ref.userId;
    const oauth = this.opts.oauth;
    if (!oauth)
      throw new ReconnectRequiredError(
        'Airtable OAuth is not configured on this server.',
        this.opts.reconnectUrl,
      );
    const leaseMs = this.opts.leaseMs ?? REFRESH_LEASE_MS;
    const deadline = this.now().getTime() + leaseMs + WAIT_BEYOND_LEASE_MS;
    let delay = 100;
    while (this.now().getTime() < deadline) {
      const rec = await this.read(ref, true);
      const cred = rec.credential;
      if (cred.accessToken !== staleToken && this.fresh(cred)) return cred.accessToken;
      if (!cred.refreshToken)
        throw new ReconnectRequiredError(
          'No Airtable refresh token is stored for you.',
          this.opts.reconnectUrl,
        );
      if (await this.opts.storage.claimRefresh(ref, rec.refreshClaim, leaseMs)) {
        try {
          const tokens = await oauth.refresh(cred.refreshToken);
          const next = oauthCredential(tokens, cred.email);
          // Persist before use: the old pair is already dead at Airtable.
          await this.opts.storage.updateUserToken(ref, next, tokens.refreshExpiresAt);
          log.info({ userId }, 'airtable token refreshed');
          return next.accessToken;
        } catch (err) {
          if (err instanceof AirtableOAuthError) {
            if (err.kind === 'conflict') {
              // Someone else refreshed: re-read after a moment.
            } else if (err.kind === 'invalid_grant') {
              await this.opts.storage.markUserTokenDead(ref);
              log.warn({ userId }, 'airtable grant is dead (invalid_grant)');
              throw new ReconnectRequiredError(
                'Airtable no longer accepts your authorization.',
                this.opts.reconnectUrl,
              );
            } else if (err.kind === 'invalid_client') {
              log.error({ userId }, 'airtable refused our client credentials on refresh');
              throw new UpstreamUnavailableError(
                "Airtable refused this server's OAuth client credentials; the operator must check AIRTABLE_CLIENT_ID and AIRTABLE_CLIENT_SECRET.",
              );
            } else {
              throw new UpstreamUnavailableError(
                `Could not refresh your Airtable token: ${err.message}`,
              );
            }
          } else throw err;
        }
      }
      await new Promise((r) => setTimeout(r, delay + Math.floor(Math.random() * 50)));
      delay = Math.min(delay * 2, 1000);
    }
    throw new UpstreamUnavailableError(
      'Another server is refreshing your Airtable token and has not finished; try again.',
    );
  }
}
