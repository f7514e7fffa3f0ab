/**
 * In-process store for unit tests (`STORAGE_BACKEND=memory`). It keeps the same at-rest formats
 * as ParseStorage (hashed secrets, Fernet-encrypted credentials and verifiers, codec.ts) and the
 * same rules (lazy expiry, consume once, one token row per user, refresh claims), so the storage
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
  userId: string;
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

  async upsertUserToken(
    userId: string,
    credential: AirtableCredential,
    expiresAt: Date,
  ): Promise<void> {
    const previous = this.data.tokens.get(userId);
    this.data.tokens.set(userId, {
      userId,
      tokens: encryptCredential(credential, this.keys[0]!),
      kind: credential.kind,
      scope: credential.scope,
      status: 'active',
      expiresAt,
      refreshClaim: previous?.refreshClaim ?? 0,
      refreshClaimAt: previous?.refreshClaimAt,
      tokensUpdatedAt: this.now(),
    });
  }

  async getUserToken(userId: string): Promise<UserTokenRecord | null> {
    const row = this.live(this.data.tokens.get(userId));
    if (!row) return null;
    const credential = decryptCredential(row.tokens, this.keys);
    if (!credential) {
      reportUnreadableCredential(userId);
      throw new CredentialUnreadableError(userId);
    }
    return {
      userId,
      credential,
      status: row.status,
      expiresAt: row.expiresAt,
      refreshClaim: row.refreshClaim,
      refreshClaimAt: row.refreshClaimAt,
      updatedAt: row.tokensUpdatedAt,
    };
  }

  async deleteUserToken(userId: string): Promise<void> {
    this.data.tokens.delete(userId);
  }

  async markUserTokenDead(userId: string): Promise<void> {
    const row = this.data.tokens.get(userId);
    if (row) Object.assign(row, { status: 'dead', tokensUpdatedAt: this.now() });
  }

  async extendUserTokenExpiry(userId: string, until: Date): Promise<void> {
    const row = this.data.tokens.get(userId);
    if (row && row.expiresAt < until) row.expiresAt = until;
  }

  async claimRefresh(userId: string, seenClaim: number, leaseMs: number): Promise<boolean> {
    const row = this.data.tokens.get(userId);
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
