/**
 * In-process store for unit tests (`STORAGE_BACKEND=memory`). It keeps the same at-rest formats
 * as ParseStorage (hashed secrets, Fernet-encrypted credentials and verifiers, codec.ts) and the
 * same rules (lazy expiry, consume once, one credential per connection, refresh claims), so the storage
 * contract suite holds for both. Each method does its reads and writes without awaiting in
 * between, which is what makes it atomic on one event loop.
 *
 * Pass the same `data` to several instances to model processes sharing one database (e.g. with
 * different encryption keys).
 */
import { constantTimeEqual, randomSecret } from '../crypto/keyed-hash';
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
  decodeSessionData,
  decodeStateData,
  decryptCredential,
  encodeSessionData,
  encodeStateData,
  encryptCredential,
  hashSession,
  hashState,
} from './codec';
import { claimWinnable } from './refresh-claim';
import { reportUnreadableCredential } from './unreadable';

interface StateRow {
  state: string;
  data: string;
  expiresAt: Date;
}

interface TokenRow {
  id: string;
  userId: string;
  /** false only for rows of the earlier one-row-per-user layout (CredentialRef). */
  perConnection: boolean;
  createdAt: Date;
  tokens: string;
  kind: string;
  scope: string;
  status: 'active' | 'dead';
  expiresAt: Date;
  refreshClaim: number;
  refreshClaimAt: Date | undefined;
  tokensUpdatedAt: Date;
}

interface SessionRow {
  id: string;
  sessionId: string;
  userId: string;
  data: string;
  grantId: string | undefined;
  credentialId: string | undefined;
  createdAt: Date;
  expiresAt: Date;
}

/** The "database": rows in their at-rest form, keyed like the Parse lookups. */
export interface MemoryData {
  states: Map<string, StateRow>;
  tokens: Map<string, TokenRow>;
  sessions: Map<string, SessionRow>;
}

export function createMemoryData(): MemoryData {
  return { states: new Map(), tokens: new Map(), sessions: new Map() };
}

export interface MemoryStorageOptions {
  secretKey: string;
  encryptionKeys: readonly string[];
  now?: () => Date;
  data?: MemoryData;
}

export class MemoryStorage implements Storage {
  readonly data: MemoryData;
  private readonly secretKey: string;
  private readonly keys: readonly string[];
  private readonly now: () => Date;

  constructor(opts: MemoryStorageOptions) {
    if (opts.encryptionKeys.length === 0) throw new Error('MemoryStorage needs an encryption key');
    this.secretKey = opts.secretKey;
    this.keys = opts.encryptionKeys;
    this.now = opts.now ?? (() => new Date());
    this.data = opts.data ?? createMemoryData();
  }

  private live<T extends { expiresAt: Date }>(row: T | undefined): T | undefined {
    return row && row.expiresAt > this.now() ? row : undefined;
  }

  async createState(state: string, data: OAuthStateData, ttlMs: number): Promise<void> {
    const hash = hashState(this.secretKey, state);
    this.data.states.set(hash, {
      state: hash,
      data: encodeStateData(data, this.keys[0]!),
      expiresAt: new Date(this.now().getTime() + ttlMs),
    });
  }

  async consumeState(state: string): Promise<OAuthStateData | null> {
    const hash = hashState(this.secretKey, state);
    const row = this.data.states.get(hash);
    if (!row || !constantTimeEqual(row.state, hash)) return null;
    this.data.states.delete(hash);
    if (!this.live(row)) return null;
    return decodeStateData(row.data, this.keys) ?? null;
  }

  private tokenRow(ref: CredentialRef): TokenRow | undefined {
    if (ref.credentialId) {
      const row = this.data.tokens.get(ref.credentialId);
      return row && row.userId === ref.userId ? row : undefined;
    }
    // The earlier layout's row of this user (the oldest, as ParseStorage picks).
    return [...this.data.tokens.values()]
      .filter((r) => r.userId === ref.userId && !r.perConnection)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())[0];
  }

  async createUserToken(
    userId: string,
    credential: AirtableCredential,
    expiresAt: Date,
  ): Promise<string> {
    return this.insertToken(userId, credential, expiresAt, true);
  }

  /** Tests only: a row as the earlier one-row-per-user layout wrote it (no credential id in use). */
  insertLegacyUserToken(userId: string, credential: AirtableCredential, expiresAt: Date): string {
    return this.insertToken(userId, credential, expiresAt, false);
  }

  private insertToken(
    userId: string,
    credential: AirtableCredential,
    expiresAt: Date,
    perConnection: boolean,
  ): string {
    const id = randomSecret(16).replace(/[^A-Za-z0-9]/g, '');
    this.data.tokens.set(id, {
      id,
      userId,
      perConnection,
      createdAt: this.now(),
      tokens: encryptCredential(credential, this.keys[0]!),
      kind: credential.kind,
      scope: credential.scope,
      status: 'active',
      expiresAt,
      refreshClaim: 0,
      refreshClaimAt: undefined,
      tokensUpdatedAt: this.now(),
    });
    return id;
  }

  async getUserToken(ref: CredentialRef): Promise<UserTokenRecord | null> {
    const row = this.live(this.tokenRow(ref));
    if (!row) return null;
    const credential = decryptCredential(row.tokens, this.keys);
    if (!credential) {
      reportUnreadableCredential(row.userId);
      throw new CredentialUnreadableError(row.userId);
    }
    return {
      userId: row.userId,
      credentialId: row.id,
      credential,
      status: row.status,
      expiresAt: row.expiresAt,
      refreshClaim: row.refreshClaim,
      refreshClaimAt: row.refreshClaimAt,
      updatedAt: row.tokensUpdatedAt,
    };
  }

  async updateUserToken(
    ref: CredentialRef,
    credential: AirtableCredential,
    expiresAt: Date,
  ): Promise<void> {
    const row = this.tokenRow(ref);
    if (!row) return;
    Object.assign(row, {
      tokens: encryptCredential(credential, this.keys[0]!),
      kind: credential.kind,
      scope: credential.scope,
      status: 'active',
      expiresAt,
      tokensUpdatedAt: this.now(),
    });
  }

  async deleteUserToken(ref: CredentialRef): Promise<void> {
    const row = this.tokenRow(ref);
    if (row) this.data.tokens.delete(row.id);
  }

  async deleteUserTokens(userId: string): Promise<number> {
    let n = 0;
    for (const row of [...this.data.tokens.values()])
      if (row.userId === userId && this.data.tokens.delete(row.id)) n++;
    return n;
  }

  async markUserTokenDead(ref: CredentialRef): Promise<void> {
    const row = this.tokenRow(ref);
    if (row) Object.assign(row, { status: 'dead', tokensUpdatedAt: this.now() });
  }

  async extendUserTokenExpiry(ref: CredentialRef, until: Date): Promise<void> {
    const row = this.tokenRow(ref);
    if (row && row.expiresAt < until) row.expiresAt = until;
  }

  async claimRefresh(ref: CredentialRef, seenClaim: number, leaseMs: number): Promise<boolean> {
    const row = this.tokenRow(ref);
    const now = this.now();
    if (!row) return false;
    const state = {
      claim: row.refreshClaim,
      claimAt: row.refreshClaimAt,
      tokensUpdatedAt: row.tokensUpdatedAt,
    };
    if (!claimWinnable(state, seenClaim, leaseMs, now)) return false;
    row.refreshClaim += 1;
    row.refreshClaimAt = now;
    return row.refreshClaim === seenClaim + 1;
  }

  async credentialHasLiveSessions(ref: CredentialRef, exceptSessionId?: string): Promise<boolean> {
    for (const row of this.data.sessions.values()) {
      if (row.id === exceptSessionId || row.userId !== ref.userId || !this.live(row)) continue;
      if (row.credentialId === ref.credentialId) return true;
    }
    return false;
  }

  async createSession(
    userId: string,
    data: SessionData,
    ttlMs: number,
  ): Promise<{ secret: string; record: SessionRecord }> {
    const secret = randomSecret(32);
    const now = this.now();
    const row: SessionRow = {
      id: randomSecret(16),
      sessionId: hashSession(this.secretKey, secret),
      userId,
      data: encodeSessionData(data),
      grantId: data.grantId,
      credentialId: data.credentialId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + ttlMs),
    };
    this.data.sessions.set(row.id, row);
    return { secret, record: this.toRecord(row)! };
  }

  private toRecord(row: SessionRow): SessionRecord | null {
    const data = decodeSessionData(row.data);
    if (!data || !this.live(row)) return null;
    const { id, userId, createdAt, expiresAt } = row;
    return { id, userId, data, createdAt, expiresAt };
  }

  private rowBySecret(secret: string): SessionRow | undefined {
    const hash = hashSession(this.secretKey, secret);
    for (const row of this.data.sessions.values())
      if (constantTimeEqual(row.sessionId, hash)) return row;
    return undefined;
  }

  async findSession(secret: string): Promise<SessionRecord | null> {
    const row = this.rowBySecret(secret);
    return row ? this.toRecord(row) : null;
  }

  async revokeSession(secret: string): Promise<boolean> {
    const row = this.rowBySecret(secret);
    return row ? this.data.sessions.delete(row.id) : false;
  }

  async revokeSessionById(id: string): Promise<boolean> {
    return this.data.sessions.delete(id);
  }

  private revokeWhere(match: (row: SessionRow) => boolean): number {
    let n = 0;
    for (const row of [...this.data.sessions.values()])
      if (match(row) && this.data.sessions.delete(row.id)) n++;
    return n;
  }

  async revokeUserSessions(userId: string): Promise<number> {
    return this.revokeWhere((r) => r.userId === userId);
  }

  async revokeGrantSessions(grantId: string): Promise<number> {
    return this.revokeWhere((r) => r.grantId === grantId);
  }

  async listUserSessions(userId: string): Promise<SessionRecord[]> {
    return [...this.data.sessions.values()]
      .filter((r) => r.userId === userId)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .map((r) => this.toRecord(r))
      .filter((r) => r !== null);
  }
}
