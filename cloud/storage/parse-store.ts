/**
 * The store of record (`STORAGE_BACKEND=back4app`): the Parse classes OAuthState, UserToken and
 * UserSession, always with the master key (their CLPs admit nothing else), through the global
 * Parse SDK that parse-server / Back4App give Cloud Code. Formats at rest: codec.ts.
 *
 * Concurrency without transactions (Parse's REST API has none we can rely on across MongoDB and
 * PostgreSQL):
 * - consumeState: find by hash, then destroy; only the caller whose DELETE removes the row wins.
 *   Both storage adapters answer OBJECT_NOT_FOUND to a DELETE that matched nothing
 *   (MongoStorageAdapter/PostgresStorageAdapter.deleteObjectsByQuery), and so does rest.del's
 *   pre-read once a beforeDelete trigger exists.
 * - claimRefresh: an atomic Increment whose response carries the new value (parse-claim.ts).
 * - UserToken: one row per sign-in (its objectId is the credential id a session or grant keeps),
 *   so creating never races. Rows of the earlier one-row-per-user layout (no `per_connection`)
 *   serve the sessions and grants written before, which carry no credential id: such a lookup
 *   picks the user's oldest such row, as the earlier code did after a concurrent first sign-in.
 */
import { constantTimeEqual, randomSecret } from '../crypto/keyed-hash';
import { getParse, type ParseSdk } from '../parse-runtime';
import {
  CredentialUnreadableError,
  type AirtableCredential,
  type CredentialRef,
  type OAuthStateData,
  type SessionData,
  type SessionRecord,
  type Storage,
  type UserTokenRecord,
} from './base';
import {
  CLASSES,
  decodeSessionData,
  decodeStateData,
  decryptCredential,
  encodeSessionData,
  encodeStateData,
  encryptCredential,
  hashSession,
  hashState,
  OBJECT_ID_PATTERN,
} from './codec';
import { guarded, isObjectNotFound } from './errors';
import { destroyObjects, destroyWins, MASTER, type ParseObject } from './parse-ops';
import { incrementRefreshClaim } from './parse-claim';
import { claimWinnable, type ClaimState } from './refresh-claim';
import { reportUnreadableCredential } from './unreadable';

export interface ParseStorageOptions {
  secretKey: string;
  /** First key encrypts; every key decrypts (rotation). */
  encryptionKeys: readonly string[];
  now?: () => Date;
  /** Defaults to the global Parse of Cloud Code (tests pass a parse/node client). */
  parse?: () => ParseSdk;
}

/** Rows per query when deleting a user's or a grant's sessions. */
const PAGE = 1000;

function dateOf(obj: ParseObject, field: string): Date | undefined {
  const v: unknown = obj.get(field);
  return v instanceof Date ? v : undefined;
}

export class ParseStorage implements Storage {
  private readonly secretKey: string;
  private readonly keys: readonly string[];
  private readonly now: () => Date;
  private readonly parse: () => ParseSdk;

  constructor(opts: ParseStorageOptions) {
    if (opts.encryptionKeys.length === 0) throw new Error('ParseStorage needs an encryption key');
    this.secretKey = opts.secretKey;
    this.keys = opts.encryptionKeys;
    this.now = opts.now ?? (() => new Date());
    this.parse = opts.parse ?? getParse;
  }

  private get firstKey(): string {
    return this.keys[0]!;
  }

  // --- OAuthState -------------------------------------------------------------------------

  createState(state: string, data: OAuthStateData, ttlMs: number): Promise<void> {
    return guarded(async () => {
      const Parse = this.parse();
      const row = new Parse.Object(CLASSES.state);
      row.set('state', hashState(this.secretKey, state));
      row.set('data', encodeStateData(data, this.firstKey));
      row.set('expires_at', new Date(this.now().getTime() + ttlMs));
      await row.save(null, MASTER);
    });
  }

  consumeState(state: string): Promise<OAuthStateData | null> {
    return guarded(async () => {
      const Parse = this.parse();
      const hash = hashState(this.secretKey, state);
      const row = await new Parse.Query(CLASSES.state).equalTo('state', hash).first(MASTER);
      if (!row || !constantTimeEqual(String(row.get('state')), hash)) return null;
      if (!(await destroyWins(row))) return null; // another request consumed it first
      const expiresAt = dateOf(row, 'expires_at');
      if (!expiresAt || expiresAt <= this.now()) return null; // consumed, but too late
      return decodeStateData(row.get('data'), this.keys) ?? null;
    });
  }

  // --- UserToken --------------------------------------------------------------------------

  /** The row `ref` names: its own row, or the user's legacy row (see the header). */
  private async tokenRow(ref: CredentialRef): Promise<ParseObject | undefined> {
    const Parse = this.parse();
    const query = new Parse.Query(CLASSES.token).equalTo('user_id', ref.userId);
    if (ref.credentialId !== undefined) {
      if (!OBJECT_ID_PATTERN.test(ref.credentialId)) return undefined;
      return (await query.equalTo('objectId', ref.credentialId).first(MASTER)) ?? undefined;
    }
    const legacy = await query
      .notEqualTo('per_connection', true)
      .ascending('createdAt')
      .addAscending('objectId')
      .first(MASTER);
    return legacy ?? undefined;
  }

  private tokenFields(credential: AirtableCredential, expiresAt: Date) {
    return {
      tokens: encryptCredential(credential, this.firstKey),
      kind: credential.kind,
      scope: credential.scope,
      status: 'active',
      expires_at: expiresAt,
      tokens_updated_at: this.now(),
    };
  }

  createUserToken(
    userId: string,
    credential: AirtableCredential,
    expiresAt: Date,
  ): Promise<string> {
    return guarded(async () => {
      const Parse = this.parse();
      const row = new Parse.Object(CLASSES.token);
      await row.save(
        {
          ...this.tokenFields(credential, expiresAt),
          user_id: userId,
          per_connection: true,
          refresh_claim: 0,
        },
        MASTER,
      );
      return row.id!;
    });
  }

  getUserToken(ref: CredentialRef): Promise<UserTokenRecord | null> {
    return guarded(async () => {
      const row = await this.tokenRow(ref);
      const expiresAt = row && dateOf(row, 'expires_at');
      if (!row?.id || !expiresAt || expiresAt <= this.now()) return null;
      const credential = decryptCredential(row.get('tokens'), this.keys);
      if (!credential) {
        reportUnreadableCredential(ref.userId);
        throw new CredentialUnreadableError(ref.userId);
      }
      return {
        userId: ref.userId,
        credentialId: row.id,
        credential,
        status: row.get('status') === 'dead' ? 'dead' : 'active',
        expiresAt,
        refreshClaim: Number(row.get('refresh_claim') ?? 0),
        refreshClaimAt: dateOf(row, 'refresh_claim_at'),
        updatedAt: dateOf(row, 'tokens_updated_at') ?? row.updatedAt ?? expiresAt,
      };
    });
  }

  updateUserToken(
    ref: CredentialRef,
    credential: AirtableCredential,
    expiresAt: Date,
  ): Promise<void> {
    return guarded(async () => {
      const row = await this.tokenRow(ref);
      if (!row) return;
      try {
        await row.save(this.tokenFields(credential, expiresAt), MASTER);
      } catch (err) {
        if (!isObjectNotFound(err)) throw err; // deleted meanwhile (logout): stays deleted
      }
    });
  }

  deleteUserToken(ref: CredentialRef): Promise<void> {
    return guarded(async () => {
      const row = await this.tokenRow(ref);
      if (row) await destroyObjects(this.parse(), [row]);
    });
  }

  deleteUserTokens(userId: string): Promise<number> {
    return guarded(() => this.destroyWhere(CLASSES.token, 'user_id', userId));
  }

  markUserTokenDead(ref: CredentialRef): Promise<void> {
    return guarded(async () => {
      const row = await this.tokenRow(ref);
      // tokens_updated_at moves too: a refresh claim in flight is over (see refresh-claim.ts).
      if (row) await row.save({ status: 'dead', tokens_updated_at: this.now() }, MASTER);
    });
  }

  extendUserTokenExpiry(ref: CredentialRef, until: Date): Promise<void> {
    return guarded(async () => {
      const row = await this.tokenRow(ref);
      const current = row && dateOf(row, 'expires_at');
      if (row && (!current || current < until)) await row.save({ expires_at: until }, MASTER);
    });
  }

  claimRefresh(ref: CredentialRef, seenClaim: number, leaseMs: number): Promise<boolean> {
    return guarded(async () => {
      const Parse = this.parse();
      const row = await this.tokenRow(ref);
      if (!row?.id) return false;
      const now = this.now();
      const state: ClaimState = {
        claim: Number(row.get('refresh_claim') ?? 0),
        claimAt: dateOf(row, 'refresh_claim_at'),
        tokensUpdatedAt: dateOf(row, 'tokens_updated_at'),
      };
      if (!claimWinnable(state, seenClaim, leaseMs, now)) return false;
      return (await incrementRefreshClaim(Parse, row.id, now)) === seenClaim + 1;
    });
  }

  credentialHasLiveSessions(ref: CredentialRef, exceptSessionId?: string): Promise<boolean> {
    return guarded(async () => {
      const Parse = this.parse();
      const query = new Parse.Query(CLASSES.session)
        .equalTo('user_id', ref.userId)
        .greaterThan('expires_at', this.now());
      if (ref.credentialId !== undefined) query.equalTo('credential_id', ref.credentialId);
      else query.doesNotExist('credential_id');
      if (exceptSessionId !== undefined) query.notEqualTo('objectId', exceptSessionId);
      return (await query.select('objectId').first(MASTER)) !== undefined;
    });
  }

  // --- UserSession ------------------------------------------------------------------------

  createSession(
    userId: string,
    data: SessionData,
    ttlMs: number,
  ): Promise<{ secret: string; record: SessionRecord }> {
    return guarded(async () => {
      const Parse = this.parse();
      const secret = randomSecret(32);
      const now = this.now();
      const expiresAt = new Date(now.getTime() + ttlMs);
      const row = new Parse.Object(CLASSES.session);
      row.set('session_id', hashSession(this.secretKey, secret));
      row.set('user_id', userId);
      row.set('data', encodeSessionData(data));
      if (data.grantId !== undefined) row.set('grant_id', data.grantId);
      if (data.credentialId !== undefined) row.set('credential_id', data.credentialId);
      row.set('expires_at', expiresAt);
      await row.save(null, MASTER);
      const record = { id: row.id!, userId, data, createdAt: row.createdAt ?? now, expiresAt };
      return { secret, record };
    });
  }

  private async sessionRowBySecret(secret: string): Promise<ParseObject | undefined> {
    const Parse = this.parse();
    const hash = hashSession(this.secretKey, secret);
    const row = await new Parse.Query(CLASSES.session).equalTo('session_id', hash).first(MASTER);
    return row && constantTimeEqual(String(row.get('session_id')), hash) ? row : undefined;
  }

  private toSessionRecord(row: ParseObject): SessionRecord | null {
    const expiresAt = dateOf(row, 'expires_at');
    const data = decodeSessionData(row.get('data'));
    const userId: unknown = row.get('user_id');
    if (!row.id || !expiresAt || expiresAt <= this.now() || !data || typeof userId !== 'string')
      return null;
    return { id: row.id, userId, data, createdAt: row.createdAt ?? expiresAt, expiresAt };
  }

  findSession(secret: string): Promise<SessionRecord | null> {
    return guarded(async () => {
      const row = await this.sessionRowBySecret(secret);
      return row ? this.toSessionRecord(row) : null;
    });
  }

  revokeSession(secret: string): Promise<boolean> {
    return guarded(async () => {
      const row = await this.sessionRowBySecret(secret);
      if (!row) return false;
      return (await destroyObjects(this.parse(), [row])).deleted === 1;
    });
  }

  revokeSessionById(id: string): Promise<boolean> {
    return guarded(async () => {
      // Parse objectIds are alphanumeric; anything else would only be spliced into a REST path.
      if (!/^[A-Za-z0-9]{1,64}$/.test(id)) return false;
      const Parse = this.parse();
      const row = new Parse.Object(CLASSES.session);
      row.id = id; // an unfetched pointer; the DELETE needs nothing else
      return (await destroyObjects(Parse, [row])).deleted === 1;
    });
  }

  /** Deletes every row of `className` whose `field` equals `value`, a page at a time. */
  private async destroyWhere(className: string, field: string, value: string): Promise<number> {
    const Parse = this.parse();
    let total = 0;
    for (;;) {
      const page = await new Parse.Query(className)
        .equalTo(field, value)
        .select('objectId')
        .limit(PAGE)
        .find(MASTER);
      if (page.length === 0) return total;
      const counts = await destroyObjects(Parse, page);
      total += counts.deleted;
      if (counts.failed > 0) throw counts.errors[0];
      if (page.length < PAGE) return total;
    }
  }

  revokeUserSessions(userId: string): Promise<number> {
    return guarded(() => this.destroyWhere(CLASSES.session, 'user_id', userId));
  }

  revokeGrantSessions(grantId: string): Promise<number> {
    return guarded(() => this.destroyWhere(CLASSES.session, 'grant_id', grantId));
  }

  listUserSessions(userId: string): Promise<SessionRecord[]> {
    return guarded(async () => {
      const Parse = this.parse();
      const rows = await new Parse.Query(CLASSES.session)
        .equalTo('user_id', userId)
        .greaterThan('expires_at', this.now())
        .descending('createdAt')
        .limit(PAGE)
        .find(MASTER);
      return rows.map((r) => this.toSessionRecord(r)).filter((r) => r !== null);
    });
  }
}
