/** OAuthServerStore in memory, for unit tests and the sandbox; same semantics as the Parse one. */
import type {
  Claimed,
  ClientRecord,
  CodeData,
  ConsentRecord,
  GrantRecord,
  OAuthServerStore,
  RefreshTokenData,
} from './store';

interface Row<T> {
  data: T;
  uses: number;
  expiresAt: Date;
  firstUsedAt?: Date;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

export class MemoryOAuthServerStore implements OAuthServerStore {
  readonly clients = new Map<string, ClientRecord>();
  readonly consents = new Map<string, Row<ConsentRecord>>();
  readonly codes = new Map<string, Row<CodeData>>();
  readonly grants = new Map<string, GrantRecord>();
  readonly refreshTokens = new Map<string, Row<RefreshTokenData>>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  private live<T extends { expiresAt: Date }>(row: T | undefined): T | undefined {
    return row && row.expiresAt.getTime() > this.now().getTime() ? row : undefined;
  }

  async createClient(record: ClientRecord): Promise<void> {
    this.clients.set(record.clientId, clone(record));
  }

  async getClient(clientId: string): Promise<ClientRecord | null> {
    const row = this.live(this.clients.get(clientId));
    return row ? clone(row) : null;
  }

  async touchClient(clientId: string, expiresAt: Date): Promise<void> {
    const row = this.clients.get(clientId);
    if (row && row.expiresAt < expiresAt) row.expiresAt = new Date(expiresAt);
  }

  async deleteClient(clientId: string): Promise<void> {
    this.clients.delete(clientId);
  }

  async createConsent(idHash: string, record: ConsentRecord, expiresAt: Date): Promise<void> {
    this.consents.set(idHash, { data: clone(record), uses: 0, expiresAt });
  }

  async consumeConsent(idHash: string): Promise<ConsentRecord | null> {
    const row = this.live(this.consents.get(idHash));
    this.consents.delete(idHash);
    return row ? row.data : null;
  }

  async createCode(codeHash: string, data: CodeData, expiresAt: Date): Promise<void> {
    this.codes.set(codeHash, { data: clone(data), uses: 0, expiresAt });
  }

  async claimCode(codeHash: string): Promise<Claimed<CodeData> | null> {
    return this.claim(this.codes, codeHash);
  }

  async createGrant(record: GrantRecord): Promise<void> {
    this.grants.set(record.grantId, clone(record));
  }

  async getGrant(grantId: string): Promise<GrantRecord | null> {
    const row = this.live(this.grants.get(grantId));
    return row ? clone(row) : null;
  }

  async extendGrant(grantId: string, expiresAt: Date): Promise<void> {
    const row = this.grants.get(grantId);
    if (row && row.expiresAt < expiresAt) row.expiresAt = new Date(expiresAt);
  }

  async revokeGrant(grantId: string): Promise<void> {
    const row = this.grants.get(grantId);
    if (row) row.revoked = true;
    for (const [hash, token] of this.refreshTokens)
      if (token.data.grantId === grantId) this.refreshTokens.delete(hash);
  }

  async revokeUserGrants(userId: string): Promise<string[]> {
    const ids = [...this.grants.values()]
      .filter((g) => g.userId === userId && !g.revoked)
      .map((g) => g.grantId);
    for (const id of ids) await this.revokeGrant(id);
    return ids;
  }

  async credentialHasLiveGrants(
    userId: string,
    credentialId: string | undefined,
  ): Promise<boolean> {
    return [...this.grants.values()].some(
      (g) =>
        g.userId === userId &&
        g.credentialId === credentialId &&
        !g.revoked &&
        this.live(g) !== undefined,
    );
  }

  async createRefreshToken(
    tokenHash: string,
    data: RefreshTokenData,
    expiresAt: Date,
  ): Promise<void> {
    this.refreshTokens.set(tokenHash, { data: clone(data), uses: 0, expiresAt });
  }

  async claimRefreshToken(tokenHash: string): Promise<Claimed<RefreshTokenData> | null> {
    return this.claim(this.refreshTokens, tokenHash);
  }

  async findRefreshToken(tokenHash: string): Promise<RefreshTokenData | null> {
    const row = this.live(this.refreshTokens.get(tokenHash));
    return row ? clone(row.data) : null;
  }

  private claim<T>(map: Map<string, Row<T>>, key: string): Claimed<T> | null {
    const row = this.live(map.get(key));
    if (!row) return null;
    row.uses += 1;
    if (row.uses === 1) row.firstUsedAt = this.now();
    const claimed: Claimed<T> = { data: clone(row.data), uses: row.uses, expiresAt: row.expiresAt };
    if (row.firstUsedAt) claimed.firstUsedAt = row.firstUsedAt;
    return claimed;
  }
}
