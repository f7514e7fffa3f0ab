/**
 * The admin operations, in process. The HTTP admin API (/__admin/*, admin-routes.ts) is a thin
 * wrapper over this class so that tests in other processes can drive the fake the same way.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { fakeConfigSchema, type FakeConfig } from '../config';
import type { FakeContext } from '../context';
import { AdminError, AuthorizePageError } from '../http/errors';
import { newId, newPatToken } from '../ids';
import { validateAuthorize, withQuery } from '../oauth/authorize-request';
import { decide, type DecisionResult } from '../oauth/authorization-decision';
import { baseIdList } from '../oauth/authorize-routes';
import { revokeGrant } from '../oauth/grants';
import type { Base, Grant, PermissionLevel, Scope, User } from '../state/model';
import type { FaultSpec } from '../traffic/faults';
import { faultSpecSchema } from '../traffic/faults';
import type { StatsSnapshot } from '../traffic/stats';
import {
  adminAuthorizeSchema,
  bulkRecordsSchema,
  clientSpecSchema,
  collaboratorSpecSchema,
  patSpecSchema,
  redirectUriSpecSchema,
  revokeSpecSchema,
  userSpecSchema,
  workspaceSpecSchema,
  type AdminAuthorizeSpec,
  type BaseSpec,
  type BulkRecords,
  type ClientSpec,
  type PatSpec,
  type RedirectUriSpec,
  type RevokeSpec,
  type UserSpec,
  type WorkspaceSpec,
} from './admin-schemas';
import { adminRecordView, buildBase, insertSpecRecords } from './base-builder';

export interface BaseSummary {
  id: string;
  name: string;
  workspaceId?: string;
  collaborators: Record<string, string>;
  tables: {
    id: string;
    name: string;
    primaryFieldId: string;
    fields: { id: string; name: string; type: string }[];
    views: { id: string; name: string }[];
    recordCount: number;
  }[];
}

export interface GrantSummary {
  id: string;
  clientId: string;
  userId: string;
  scopes: Scope[];
  bases: 'all' | string[];
  revoked: boolean;
  generation: number;
  accessExpiresAt: string;
  refreshExpiresAt: string;
}

export type AdminAuthorizeResult =
  ({ ok: true } & DecisionResult) | { ok: false; error: string; error_description: string };

function summarize(base: Base): BaseSummary {
  return {
    id: base.id,
    name: base.name,
    ...(base.workspaceId ? { workspaceId: base.workspaceId } : {}),
    collaborators: Object.fromEntries(base.collaborators),
    tables: base.tables.map((t) => ({
      id: t.id,
      name: t.name,
      primaryFieldId: t.primaryFieldId,
      fields: t.fields.map((f) => ({ id: f.id, name: f.name, type: f.type })),
      views: t.views.map((v) => ({ id: v.id, name: v.name })),
      recordCount: t.records.size,
    })),
  };
}

function grantSummary(g: Grant): GrantSummary {
  return {
    id: g.id,
    clientId: g.clientId,
    userId: g.userId,
    scopes: g.scopes,
    bases: g.bases === 'all' ? 'all' : [...g.bases],
    revoked: g.revoked,
    generation: g.generation,
    accessExpiresAt: new Date(g.accessExpiresAt).toISOString(),
    refreshExpiresAt: new Date(g.refreshExpiresAt).toISOString(),
  };
}

export class FakeAdmin {
  constructor(
    private readonly ctx: FakeContext,
    private readonly resetState: (opts: { keepClients: boolean }) => void,
  ) {}

  /** Back to the start state (seed included); `keepClients` keeps clients and redirect URIs. */
  reset(opts: { keepClients?: boolean } = {}): void {
    this.resetState({ keepClients: opts.keepClients ?? false });
  }

  createUser(input: UserSpec = {}): User {
    const spec = userSpecSchema.parse(input);
    const id = spec.id ?? newId('usr');
    if (this.ctx.store.users.has(id)) throw new AdminError(`user ${id} exists`);
    const name = spec.name ?? `User ${id.slice(3, 9)}`;
    const user: User = { id, name, email: spec.email ?? `${id.toLowerCase()}@example.com` };
    this.ctx.store.users.set(id, user);
    return { ...user };
  }

  listUsers(): User[] {
    return [...this.ctx.store.users.values()].map((u) => ({ ...u }));
  }

  createClient(input: ClientSpec = {}): {
    clientId: string;
    clientSecret: string | null;
    redirectUris: string[];
  } {
    const spec = clientSpecSchema.parse(input);
    const clientId = spec.clientId ?? randomUUID();
    if (this.ctx.store.clients.has(clientId)) throw new AdminError(`client ${clientId} exists`);
    const clientSecret =
      spec.clientSecret === undefined ? randomBytes(32).toString('hex') : spec.clientSecret;
    const redirectUris = spec.redirectUris ?? [];
    this.ctx.store.clients.set(clientId, {
      clientId,
      clientSecret,
      redirectUris: new Set(redirectUris),
    });
    return { clientId, clientSecret, redirectUris };
  }

  /** Registers an exact redirect URI for a client (default: the fake's own client). */
  registerRedirectUri(input: RedirectUriSpec): { clientId: string; redirectUris: string[] } {
    const spec = redirectUriSpecSchema.parse(input);
    const clientId = spec.clientId ?? this.ctx.defaultClientId;
    const client = this.ctx.store.clients.get(clientId);
    if (!client) throw new AdminError(`unknown client ${clientId}`, 404);
    client.redirectUris.add(spec.uri);
    return { clientId, redirectUris: [...client.redirectUris] };
  }

  createPat(input: PatSpec): { token: string } {
    const spec = patSpecSchema.parse(input);
    if (!this.ctx.store.users.has(spec.userId))
      throw new AdminError(`unknown user ${spec.userId}`, 404);
    const token = newPatToken();
    this.ctx.store.pats.set(token, {
      token,
      userId: spec.userId,
      scopes: new Set(spec.scopes),
      bases: spec.bases === 'all' ? 'all' : new Set(spec.bases),
      revoked: false,
    });
    return { token };
  }

  revokePat(token: string): { revoked: boolean } {
    const pat = this.ctx.store.pats.get(token);
    if (pat) pat.revoked = true;
    return { revoked: pat !== undefined };
  }

  /** A workspace (create-base needs "create" permission on one). */
  createWorkspace(input: WorkspaceSpec): { id: string; name: string } {
    const spec = workspaceSpecSchema.parse(input);
    const id = spec.id ?? newId('wsp');
    if (this.ctx.store.workspaces.has(id)) throw new AdminError(`workspace ${id} exists`);
    const collaborators = new Map<string, PermissionLevel>();
    for (const u of spec.ownerUserIds) collaborators.set(u, 'create');
    for (const c of spec.collaborators ?? []) collaborators.set(c.userId, c.permissionLevel);
    for (const u of collaborators.keys())
      if (!this.ctx.store.users.has(u)) throw new AdminError(`unknown user ${u}`);
    this.ctx.store.workspaces.set(id, { id, name: spec.name, collaborators });
    return { id, name: spec.name };
  }

  /** Webhooks of a base as the fake stores them (expiry, cursor, payload count). */
  listWebhooks(baseId: string) {
    this.base(baseId);
    return {
      webhooks: [...this.ctx.store.webhooks.values()]
        .filter((h) => h.baseId === baseId)
        .map((h) => ({
          id: h.id,
          clientId: h.clientId,
          expirationTime: new Date(h.expirationTime).toISOString(),
          cursorForNextPayload: h.cursorForNextPayload,
          payloads: h.payloads.length,
        })),
    };
  }

  createBase(spec: BaseSpec): BaseSummary {
    return summarize(buildBase(this.ctx, spec));
  }

  getBase(baseId: string): BaseSummary {
    return summarize(this.base(baseId));
  }

  setCollaborator(baseId: string, input: { userId: string; permissionLevel: string }): BaseSummary {
    const spec = collaboratorSpecSchema.parse(input);
    const base = this.base(baseId);
    if (!this.ctx.store.users.has(spec.userId))
      throw new AdminError(`unknown user ${spec.userId}`, 404);
    if (spec.permissionLevel === 'none') base.collaborators.delete(spec.userId);
    else base.collaborators.set(spec.userId, spec.permissionLevel);
    return summarize(base);
  }

  /** Bulk insert, no 10-record cap; links may name records by primary text when typecast (default true). */
  createRecords(baseId: string, tableIdOrName: string, input: BulkRecords) {
    const spec = bulkRecordsSchema.parse(input);
    const base = this.base(baseId);
    const table = this.table(base, tableIdOrName);
    const [rows] = insertSpecRecords(
      this.ctx,
      base,
      [{ table, records: spec.records }],
      spec.typecast ?? true,
    );
    return { records: rows!.map((r) => adminRecordView(this.ctx, base, table, r)) };
  }

  listRecords(baseId: string, tableIdOrName: string) {
    const base = this.base(baseId);
    const table = this.table(base, tableIdOrName);
    return {
      records: [...table.records.values()].map((r) => adminRecordView(this.ctx, base, table, r)),
    };
  }

  getConfig(): FakeConfig {
    return { ...this.ctx.config };
  }

  setConfig(patch: Partial<FakeConfig>): FakeConfig {
    const parsed = fakeConfigSchema.partial().parse(patch);
    Object.assign(this.ctx.config, parsed);
    return this.getConfig();
  }

  advanceClock(ms: number): { now: string } {
    z.number().int().nonnegative().parse(ms);
    return { now: new Date(this.ctx.clock.advance(ms)).toISOString() };
  }

  now(): { now: string } {
    return { now: new Date(this.ctx.clock.now()).toISOString() };
  }

  /** Makes every OAuth access token of the user expire now (refresh tokens stay valid). */
  expireAccessTokens(userId: string): { expired: number } {
    let expired = 0;
    const now = this.ctx.clock.now();
    for (const g of this.ctx.store.grants.values())
      if (g.userId === userId && !g.revoked && g.accessExpiresAt > now) {
        g.accessExpiresAt = now;
        expired++;
      }
    return { expired };
  }

  /** Revokes the grant(s) selected by id, user, or one of their current or past tokens. */
  revokeGrants(input: RevokeSpec): { revoked: number } {
    const spec = revokeSpecSchema.parse(input);
    const s = this.ctx.store;
    const ids = new Set<string>();
    if (spec.grantId) ids.add(spec.grantId);
    if (spec.accessToken) {
      const ref = s.accessTokens.get(spec.accessToken);
      if (ref) ids.add(ref.grantId);
    }
    if (spec.refreshToken) {
      const ref = s.refreshTokens.get(spec.refreshToken);
      if (ref) ids.add(ref.grantId);
    }
    if (spec.userId) for (const g of s.grants.values()) if (g.userId === spec.userId) ids.add(g.id);
    let revoked = 0;
    for (const id of ids) {
      const g = s.grants.get(id);
      if (g && !g.revoked) {
        revokeGrant(g);
        revoked++;
      }
    }
    return { revoked };
  }

  listGrants(filter: { userId?: string } = {}): GrantSummary[] {
    return [...this.ctx.store.grants.values()]
      .filter((g) => !filter.userId || g.userId === filter.userId)
      .map(grantSummary);
  }

  addFault(input: FaultSpec): { id: string } {
    const spec = faultSpecSchema.parse(input);
    try {
      return { id: this.ctx.faults.add(spec).id };
    } catch (err) {
      throw new AdminError((err as Error).message);
    }
  }

  listFaults() {
    return this.ctx.faults.list();
  }

  clearFaults(): void {
    this.ctx.faults.clear();
  }

  stats(): StatsSnapshot {
    return this.ctx.stats.snapshot();
  }

  resetStats(): void {
    this.ctx.stats.reset();
  }

  /**
   * Approves (or denies) an authorization request without the HTML page: returns the Location
   * the consent form would redirect to, with `code` and `state` split out.
   */
  authorize(input: AdminAuthorizeSpec): AdminAuthorizeResult {
    const spec = adminAuthorizeSchema.parse(input);
    let params: URLSearchParams;
    if (spec.url) params = new URL(spec.url, this.ctx.url).searchParams;
    else if (typeof spec.query === 'string')
      params = new URLSearchParams(spec.query.replace(/^\?/, ''));
    else if (spec.query) params = new URLSearchParams(spec.query);
    else {
      params = new URLSearchParams();
      for (const [k, v] of Object.entries(spec))
        if (typeof v === 'string' && !['user_id', 'userId', 'decision', 'base_ids'].includes(k))
          params.set(k, v);
    }
    const v = validateAuthorize(this.ctx, params);
    if (v.kind === 'page') return { ok: false, error: v.error, error_description: v.description };
    if (v.kind === 'redirect') {
      return {
        ok: true,
        location: withQuery(v.redirectUri, {
          error: v.error,
          error_description: v.description,
          state: v.state,
        }),
        state: v.state ?? '',
        error: v.error,
        error_description: v.description,
      };
    }
    const baseIds = baseIdList(
      spec.base_ids === undefined
        ? []
        : Array.isArray(spec.base_ids)
          ? spec.base_ids
          : [spec.base_ids],
    );
    try {
      return {
        ok: true,
        ...decide(
          this.ctx,
          v.request,
          spec.decision ?? 'approve',
          spec.user_id ?? spec.userId,
          baseIds,
        ),
      };
    } catch (err) {
      if (err instanceof AuthorizePageError)
        return { ok: false, error: err.error, error_description: err.message };
      throw err;
    }
  }

  private base(baseId: string): Base {
    const base = this.ctx.store.bases.get(baseId);
    if (!base) throw new AdminError(`unknown base ${baseId}`, 404);
    return base;
  }

  private table(base: Base, idOrName: string) {
    const table = this.ctx.store.findTable(base, idOrName);
    if (!table) throw new AdminError(`unknown table ${idOrName} in ${base.id}`, 404);
    return table;
  }
}
