/** Counters tests read through GET /__admin/stats to assert how the product used Airtable. */

export interface StatsSnapshot {
  /** POST /oauth2/v1/token by grant_type ("(none)" when missing), successful or not. */
  tokenRequests: Record<string, number>;
  /** Token endpoint failures by OAuth error code (and "conflict_409"). */
  tokenErrors: Record<string, number>;
  /** Successful refreshes per user id. */
  refreshesByUser: Record<string, number>;
  /** GET /oauth2/v1/authorize hits. */
  authorizeRequests: number;
  /** /v0 requests by path family (whoami, meta.bases, meta.tables, records.list, ...), counted on arrival. */
  apiRequests: Record<string, number>;
  /** /v0 requests per base id, counted on arrival. */
  apiRequestsByBase: Record<string, number>;
  /** 429 answers sent: total, and why. */
  rateLimited: { total: number; perBase: number; perPatUser: number; penalty: number };
  /** Responses replaced or delayed by an injected fault. */
  faultsInjected: number;
}

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

export class Stats {
  private s: StatsSnapshot = Stats.empty();

  private static empty(): StatsSnapshot {
    return {
      tokenRequests: {},
      tokenErrors: {},
      refreshesByUser: {},
      authorizeRequests: 0,
      apiRequests: {},
      apiRequestsByBase: {},
      rateLimited: { total: 0, perBase: 0, perPatUser: 0, penalty: 0 },
      faultsInjected: 0,
    };
  }

  reset(): void {
    this.s = Stats.empty();
  }

  snapshot(): StatsSnapshot {
    return structuredClone(this.s);
  }

  tokenRequest(grantType: string): void {
    bump(this.s.tokenRequests, grantType || '(none)');
  }
  tokenError(code: string): void {
    bump(this.s.tokenErrors, code);
  }
  refresh(userId: string): void {
    bump(this.s.refreshesByUser, userId);
  }
  authorize(): void {
    this.s.authorizeRequests++;
  }
  apiRequest(family: string, baseId: string | undefined): void {
    bump(this.s.apiRequests, family);
    if (baseId) bump(this.s.apiRequestsByBase, baseId);
  }
  rateLimited(reason: 'perBase' | 'perPatUser' | 'penalty'): void {
    this.s.rateLimited.total++;
    this.s.rateLimited[reason]++;
  }
  faultInjected(): void {
    this.s.faultsInjected++;
  }
}
