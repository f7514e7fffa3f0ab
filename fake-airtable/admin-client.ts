/**
 * A typed client for the HTTP admin API, for tests running in another process than the fake
 * (Jest workers, while the harness's fake lives in globalSetup). Mirrors FakeAdmin.
 */
import type {
  BaseSpec,
  PatSpec,
  RevokeSpec,
  UserSpec,
  ClientSpec,
  WorkspaceSpec,
} from './admin/admin-schemas';
import type { AdminAuthorizeResult, BaseSummary, GrantSummary } from './admin/fake-admin';
import type { FakeConfig } from './config';
import type { User } from './state/model';
import type { FaultSpec } from './traffic/faults';
import type { StatsSnapshot } from './traffic/stats';

export class FakeAdminError extends Error {
  override name = 'FakeAdminError';
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`fake-airtable admin: HTTP ${status} ${JSON.stringify(body)}`);
  }
}

export class FakeAirtableAdminClient {
  constructor(private readonly fakeUrl: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.fakeUrl}/__admin${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as unknown;
    if (!res.ok) throw new FakeAdminError(res.status, json);
    return json as T;
  }

  reset(opts: { keepClients?: boolean } = {}) {
    return this.call<{ ok: true }>('POST', '/reset', opts);
  }
  createUser(spec: UserSpec = {}) {
    return this.call<User>('POST', '/users', spec);
  }
  listUsers() {
    return this.call<{ users: User[] }>('GET', '/users');
  }
  createClient(spec: ClientSpec = {}) {
    return this.call<{ clientId: string; clientSecret: string | null; redirectUris: string[] }>(
      'POST',
      '/clients',
      spec,
    );
  }
  registerRedirectUri(uri: string, clientId?: string) {
    return this.call<{ clientId: string; redirectUris: string[] }>('POST', '/redirect-uris', {
      uri,
      ...(clientId ? { clientId } : {}),
    });
  }
  createPat(spec: PatSpec) {
    return this.call<{ token: string }>('POST', '/pats', spec);
  }
  revokePat(token: string) {
    return this.call<{ revoked: boolean }>('POST', '/pats/revoke', { token });
  }
  createWorkspace(spec: WorkspaceSpec) {
    return this.call<{ id: string; name: string }>('POST', '/workspaces', spec);
  }
  createBase(spec: BaseSpec) {
    return this.call<BaseSummary>('POST', '/bases', spec);
  }
  listWebhooks(baseId: string) {
    return this.call<{
      webhooks: {
        id: string;
        clientId: string | null;
        expirationTime: string;
        cursorForNextPayload: number;
        payloads: number;
      }[];
    }>('GET', `/bases/${encodeURIComponent(baseId)}/webhooks`);
  }
  getBase(baseId: string) {
    return this.call<BaseSummary>('GET', `/bases/${encodeURIComponent(baseId)}`);
  }
  setCollaborator(baseId: string, userId: string, permissionLevel: string) {
    return this.call<BaseSummary>('POST', `/bases/${encodeURIComponent(baseId)}/collaborators`, {
      userId,
      permissionLevel,
    });
  }
  createRecords(
    baseId: string,
    table: string,
    records: { id?: string; fields: Record<string, unknown> }[],
    typecast = true,
  ) {
    return this.call<{
      records: { id: string; createdTime: string; fields: Record<string, unknown> }[];
    }>('POST', `/bases/${encodeURIComponent(baseId)}/tables/${encodeURIComponent(table)}/records`, {
      records,
      typecast,
    });
  }
  listRecords(baseId: string, table: string) {
    return this.call<{
      records: { id: string; createdTime: string; fields: Record<string, unknown> }[];
    }>('GET', `/bases/${encodeURIComponent(baseId)}/tables/${encodeURIComponent(table)}/records`);
  }
  getConfig() {
    return this.call<FakeConfig>('GET', '/config');
  }
  setConfig(patch: Partial<FakeConfig>) {
    return this.call<FakeConfig>('PATCH', '/config', patch);
  }
  advanceClock(ms: number) {
    return this.call<{ now: string }>('POST', '/clock/advance', { ms });
  }
  expireAccessTokens(userId: string) {
    return this.call<{ expired: number }>(
      'POST',
      `/users/${encodeURIComponent(userId)}/expire-access-tokens`,
      {},
    );
  }
  revokeGrants(spec: RevokeSpec) {
    return this.call<{ revoked: number }>('POST', '/grants/revoke', spec);
  }
  listGrants(userId?: string) {
    return this.call<{ grants: GrantSummary[] }>(
      'GET',
      `/grants${userId ? `?userId=${encodeURIComponent(userId)}` : ''}`,
    );
  }
  addFault(spec: FaultSpec) {
    return this.call<{ id: string }>('POST', '/faults', spec);
  }
  clearFaults() {
    return this.call<{ ok: true }>('DELETE', '/faults');
  }
  stats() {
    return this.call<StatsSnapshot>('GET', '/stats');
  }
  resetStats() {
    return this.call<{ ok: true }>('POST', '/stats/reset', {});
  }
  /** Approve/deny without HTML; `query` is the authorize query string or URL params. */
  authorize(spec: {
    url?: string;
    query?: string | Record<string, string>;
    userId: string;
    decision?: 'approve' | 'deny';
    baseIds?: string[];
  }) {
    return this.call<AdminAuthorizeResult>('POST', '/authorize', {
      ...(spec.url ? { url: spec.url } : {}),
      ...(spec.query ? { query: spec.query } : {}),
      user_id: spec.userId,
      ...(spec.decision ? { decision: spec.decision } : {}),
      ...(spec.baseIds ? { base_ids: spec.baseIds } : {}),
    });
  }
}
