/**
 * OAuthServerStore on Parse classes (the global Parse of Cloud Code, master key only; the classes
 * are locked by their CLPs, schema/OAuth*.json). Hashed columns hold keyedHash outputs only.
 *
 * Atomicity, as in cloud/storage/parse-store.ts:
 * - single use (codes, refresh tokens): an Increment op is atomic on both databases ($inc /
 *   `col = col + 1`) and the save response carries the new value, so exactly one claim sees 1.
 * - consumeConsent: find, then destroy; only the caller whose DELETE removed the row wins (both
 *   adapters answer OBJECT_NOT_FOUND to a DELETE that matched nothing).
 */
import { z } from 'zod';
import { getParse, type ParseSdk } from '../../parse-runtime';
import { guarded, isObjectNotFound } from '../../storage/errors';
import { destroyObjects, destroyWins, MASTER, type ParseObject } from '../../storage/parse-ops';
import type {
  Claimed,
  ClientMetadata,
  ClientRecord,
  CodeData,
  ConsentRecord,
  GrantRecord,
  OAuthServerStore,
  RefreshTokenData,
} from './store';

export const OAUTH_CLASSES = {
  client: 'OAuthClient',
  consent: 'OAuthConsent',
  code: 'OAuthCode',
  grant: 'OAuthGrant',
  refreshToken: 'OAuthRefreshToken',
} as const;

/** Rows per query when deleting a grant's refresh tokens. */
const PAGE = 1000;

const ConsentSchema = z.object({
  request: z.object({
    clientId: z.string(),
    redirectUri: z.string(),
    codeChallenge: z.string(),
    state: z.string().optional(),
    resource: z.string(),
    scopes: z.array(z.string()),
  }),
  browserHash: z.string(),
  account: z.object({ userId: z.string(), credentialId: z.string().optional() }).optional(),
});

const CodeDataSchema = z.object({
  clientId: z.string(),
  redirectUri: z.string(),
  codeChallenge: z.string(),
  resource: z.string(),
  scopes: z.array(z.string()),
  userId: z.string(),
  grantId: z.string(),
});

const GrantDataSchema = z.object({ scopes: z.array(z.string()), resource: z.string() });

const ClientMetadataSchema = z
  .object({
    redirect_uris: z.array(z.string()),
    token_endpoint_auth_method: z.enum(['none', 'client_secret_basic', 'client_secret_post']),
    grant_types: z.array(z.string()),
    response_types: z.array(z.string()),
  })
  .passthrough();

function parseJson<T>(schema: z.ZodType<T>, raw: unknown): T | null {
  if (typeof raw !== 'string') return null;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function dateOf(obj: ParseObject, field: string): Date | undefined {
  const v: unknown = obj.get(field);
  return v instanceof Date ? v : undefined;
}

function stringOf(obj: ParseObject, field: string): string | undefined {
  const v: unknown = obj.get(field);
  return typeof v === 'string' ? v : undefined;
}

export interface ParseOAuthServerStoreOptions {
  now?: () => Date;
  /** Defaults to the global Parse of Cloud Code (tests pass a parse/node client). */
  parse?: () => ParseSdk;
}

export class ParseOAuthServerStore implements OAuthServerStore {
  private readonly now: () => Date;
  private readonly parse: () => ParseSdk;

  constructor(opts: ParseOAuthServerStoreOptions = {}) {
    this.now = opts.now ?? (() => new Date());
    this.parse = opts.parse ?? getParse;
  }

  /** The live (unexpired) row of `className` whose `field` equals `value`. */
  private async liveRow(
    className: string,
    field: string,
    value: string,
  ): Promise<ParseObject | undefined> {
    const Parse = this.parse();
    const row = await new Parse.Query(className)
      .equalTo(field, value)
      .greaterThan('expires_at', this.now())
      .first(MASTER);
    return row ?? undefined;
  }

  private async newRow(className: string, fields: Record<string, unknown>): Promise<void> {
    const Parse = this.parse();
    const row = new Parse.Object(className);
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) row.set(k, v);
    await row.save(null, MASTER);
  }

  /** Counts one more use atomically; undefined when the row vanished meanwhile. */
  private async increment(row: ParseObject): Promise<number | undefined> {
    row.increment('uses');
    try {
      await row.save(null, MASTER);
    } catch (err) {
      if (isObjectNotFound(err)) return undefined;
      throw err;
    }
    const uses: unknown = row.get('uses');
    return typeof uses === 'number' ? uses : undefined;
  }

  // --- OAuthClient ------------------------------------------------------------------------

  createClient(record: ClientRecord): Promise<void> {
    return guarded(() =>
      this.newRow(OAUTH_CLASSES.client, {
        client_id: record.clientId,
        secret_hash: record.secretHash,
        data: JSON.stringify(record.metadata),
        issued_at: record.issuedAt,
        expires_at: record.expiresAt,
      }),
    );
  }

  getClient(clientId: string): Promise<ClientRecord | null> {
    return guarded(async () => {
      const row = await this.liveRow(OAUTH_CLASSES.client, 'client_id', clientId);
      if (!row) return null;
      const metadata = parseJson(ClientMetadataSchema, row.get('data'));
      const expiresAt = dateOf(row, 'expires_at');
      if (!metadata || !expiresAt) return null;
      const record: ClientRecord = {
        clientId,
        metadata: metadata as ClientMetadata,
        issuedAt: dateOf(row, 'issued_at') ?? row.createdAt ?? expiresAt,
        expiresAt,
      };
      const secretHash = stringOf(row, 'secret_hash');
      if (secretHash) record.secretHash = secretHash;
      return record;
    });
  }

  /** Moves a live row's expires_at forward (never backward); a row deleted meanwhile is fine. */
  private extendExpiry(
    className: string,
    field: string,
    value: string,
    expiresAt: Date,
  ): Promise<void> {
    return guarded(async () => {
      const row = await this.liveRow(className, field, value);
      const current = row ? dateOf(row, 'expires_at') : undefined;
      if (!row || (current && current >= expiresAt)) return;
      row.set('expires_at', expiresAt);
      try {
        await row.save(null, MASTER);
      } catch (err) {
        if (!isObjectNotFound(err)) throw err;
      }
    });
  }

  touchClient(clientId: string, expiresAt: Date): Promise<void> {
    return this.extendExpiry(OAUTH_CLASSES.client, 'client_id', clientId, expiresAt);
  }

  deleteClient(clientId: string): Promise<void> {
    return guarded(async () => {
      const Parse = this.parse();
      const rows = await new Parse.Query(OAUTH_CLASSES.client)
        .equalTo('client_id', clientId)
        .find(MASTER);
      await destroyObjects(Parse, rows);
    });
  }

  // --- OAuthConsent -----------------------------------------------------------------------

  createConsent(idHash: string, record: ConsentRecord, expiresAt: Date): Promise<void> {
    return guarded(() =>
      this.newRow(OAUTH_CLASSES.consent, {
        consent_id: idHash,
        data: JSON.stringify(record),
        expires_at: expiresAt,
      }),
    );
  }

  consumeConsent(idHash: string): Promise<ConsentRecord | null> {
    return guarded(async () => {
      const Parse = this.parse();
      const row = await new Parse.Query(OAUTH_CLASSES.consent)
        .equalTo('consent_id', idHash)
        .first(MASTER);
      if (!row) return null;
      if (!(await destroyWins(row))) return null; // another request consumed it first
      const expiresAt = dateOf(row, 'expires_at');
      if (!expiresAt || expiresAt <= this.now()) return null;
      const data = parseJson(ConsentSchema, row.get('data'));
      return data as ConsentRecord | null;
    });
  }

  // --- OAuthCode --------------------------------------------------------------------------

  createCode(codeHash: string, data: CodeData, expiresAt: Date): Promise<void> {
    return guarded(() =>
      this.newRow(OAUTH_CLASSES.code, {
        code: codeHash,
        data: JSON.stringify(data),
        uses: 0,
        expires_at: expiresAt,
      }),
    );
  }

  claimCode(codeHash: string): Promise<Claimed<CodeData> | null> {
    return guarded(async () => {
      const row = await this.liveRow(OAUTH_CLASSES.code, 'code', codeHash);
      if (!row) return null;
      const data = parseJson(CodeDataSchema, row.get('data'));
      const expiresAt = dateOf(row, 'expires_at');
      const uses = await this.increment(row);
      if (!data || !expiresAt || uses === undefined) return null;
      return { data, uses, expiresAt };
    });
  }

  // --- OAuthGrant -------------------------------------------------------------------------

  createGrant(record: GrantRecord): Promise<void> {
    return guarded(() =>
      this.newRow(OAUTH_CLASSES.grant, {
        grant_id: record.grantId,
        user_id: record.userId,
        credential_id: record.credentialId,
        client_id: record.clientId,
        data: JSON.stringify({ scopes: record.scopes, resource: record.resource }),
        revoked: record.revoked,
        expires_at: record.expiresAt,
      }),
    );
  }

  getGrant(grantId: string): Promise<GrantRecord | null> {
    return guarded(async () => {
      const row = await this.liveRow(OAUTH_CLASSES.grant, 'grant_id', grantId);
      if (!row) return null;
      return this.toGrant(row);
    });
  }

  private toGrant(row: ParseObject): GrantRecord | null {
    const data = parseJson(GrantDataSchema, row.get('data'));
    const grantId = stringOf(row, 'grant_id');
    const userId = stringOf(row, 'user_id');
    const clientId = stringOf(row, 'client_id');
    const expiresAt = dateOf(row, 'expires_at');
    if (!data || !grantId || !userId || !clientId || !expiresAt) return null;
    const credentialId = stringOf(row, 'credential_id');
    return {
      grantId,
      userId,
      ...(credentialId ? { credentialId } : {}),
      clientId,
      scopes: data.scopes,
      resource: data.resource,
      revoked: row.get('revoked') === true,
      createdAt: row.createdAt ?? expiresAt,
      expiresAt,
    };
  }

  extendGrant(grantId: string, expiresAt: Date): Promise<void> {
    return this.extendExpiry(OAUTH_CLASSES.grant, 'grant_id', grantId, expiresAt);
  }

  revokeGrant(grantId: string): Promise<void> {
    return guarded(async () => {
      const Parse = this.parse();
      const rows = await new Parse.Query(OAUTH_CLASSES.grant)
        .equalTo('grant_id', grantId)
        .find(MASTER);
      for (const row of rows) {
        row.set('revoked', true);
        try {
          await row.save(null, MASTER);
        } catch (err) {
          if (!isObjectNotFound(err)) throw err;
        }
      }
      await this.deleteRefreshTokens(grantId);
    });
  }

  revokeUserGrants(userId: string): Promise<string[]> {
    return guarded(async () => {
      const Parse = this.parse();
      const rows = await new Parse.Query(OAUTH_CLASSES.grant)
        .equalTo('user_id', userId)
        .notEqualTo('revoked', true)
        .select('grant_id')
        .limit(PAGE)
        .find(MASTER);
      const ids = [...new Set(rows.map((r) => stringOf(r, 'grant_id')).filter((id) => !!id))];
      for (const id of ids) await this.revokeGrant(id as string);
      return ids as string[];
    });
  }

  credentialHasLiveGrants(userId: string, credentialId: string | undefined): Promise<boolean> {
    return guarded(async () => {
      const Parse = this.parse();
      const query = new Parse.Query(OAUTH_CLASSES.grant)
        .equalTo('user_id', userId)
        .notEqualTo('revoked', true)
        .greaterThan('expires_at', this.now());
      if (credentialId !== undefined) query.equalTo('credential_id', credentialId);
      else query.doesNotExist('credential_id');
      return (await query.select('objectId').first(MASTER)) !== undefined;
    });
  }

  private async deleteRefreshTokens(grantId: string): Promise<void> {
    const Parse = this.parse();
    for (;;) {
      const page = await new Parse.Query(OAUTH_CLASSES.refreshToken)
        .equalTo('grant_id', grantId)
        .select('objectId')
        .limit(PAGE)
        .find(MASTER);
      if (page.length === 0) return;
      const counts = await destroyObjects(Parse, page);
      if (counts.failed > 0) throw counts.errors[0];
      if (page.length < PAGE) return;
    }
  }

  // --- OAuthRefreshToken ------------------------------------------------------------------

  createRefreshToken(tokenHash: string, data: RefreshTokenData, expiresAt: Date): Promise<void> {
    return guarded(() =>
      this.newRow(OAUTH_CLASSES.refreshToken, {
        token: tokenHash,
        grant_id: data.grantId,
        client_id: data.clientId,
        uses: 0,
        expires_at: expiresAt,
      }),
    );
  }

  private toRefreshData(row: ParseObject): RefreshTokenData | null {
    const grantId = stringOf(row, 'grant_id');
    const clientId = stringOf(row, 'client_id');
    return grantId && clientId ? { grantId, clientId } : null;
  }

  claimRefreshToken(tokenHash: string): Promise<Claimed<RefreshTokenData> | null> {
    return guarded(async () => {
      const row = await this.liveRow(OAUTH_CLASSES.refreshToken, 'token', tokenHash);
      if (!row) return null;
      const data = this.toRefreshData(row);
      const expiresAt = dateOf(row, 'expires_at');
      const firstUsedAt = dateOf(row, 'used_at');
      const uses = await this.increment(row);
      if (!data || !expiresAt || uses === undefined) return null;
      if (uses === 1) {
        // Recorded for the reuse grace window (token-refresh.ts); a second claimer that read the
        // row before this write sees no used_at and knows the first use is happening right now.
        const used = this.now();
        await row.save({ used_at: used }, MASTER).catch((err: unknown) => {
          if (!isObjectNotFound(err)) throw err;
        });
        return { data, uses, expiresAt, firstUsedAt: used };
      }
      return { data, uses, expiresAt, ...(firstUsedAt ? { firstUsedAt } : {}) };
    });
  }

  findRefreshToken(tokenHash: string): Promise<RefreshTokenData | null> {
    return guarded(async () => {
      const row = await this.liveRow(OAUTH_CLASSES.refreshToken, 'token', tokenHash);
      return row ? this.toRefreshData(row) : null;
    });
  }
}
