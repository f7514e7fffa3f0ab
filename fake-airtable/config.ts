/** Tunables of the fake, changeable at run time through the admin API (PATCH /__admin/config). */
import { z } from 'zod';

export const fakeConfigSchema = z.strictObject({
  /** Airtable: access tokens live 60 minutes (oauth-reference, "Token expiry"). */
  accessTokenTtlSeconds: z.number().int().positive(),
  /** Airtable: refresh tokens live 60 days. */
  refreshTokenTtlSeconds: z.number().int().positive(),
  /** Airtable: the code must be exchanged within 10 minutes. */
  authorizationCodeTtlSeconds: z.number().int().positive(),
  /** How long after a rotation the previous refresh token gets 409 instead of burning the grant. */
  refreshConflictWindowMs: z.number().int().nonnegative(),
  /** GET /v0/meta/bases page size (Airtable: up to 1000). */
  basesPageSize: z.number().int().positive().max(1000),
  /** Offsets of list iterators stop working after this long (Airtable: LIST_RECORDS_ITERATOR_NOT_AVAILABLE). */
  listIteratorTtlSeconds: z.number().int().positive(),
  rateLimitEnabled: z.boolean(),
  /** Airtable: 5 requests per second per base. */
  perBaseRequestsPerSecond: z.number().int().positive(),
  /** Airtable: 50 requests per second for all traffic of one user's personal access tokens. */
  perPatUserRequestsPerSecond: z.number().int().positive(),
  /** Airtable: after a 429 the base keeps answering 429 for 30 seconds. */
  rateLimitPenaltyMs: z.number().int().nonnegative(),
});
export type FakeConfig = z.infer<typeof fakeConfigSchema>;

export const DEFAULT_CONFIG: Readonly<FakeConfig> = Object.freeze({
  accessTokenTtlSeconds: 3600,
  refreshTokenTtlSeconds: 60 * 24 * 3600,
  authorizationCodeTtlSeconds: 600,
  refreshConflictWindowMs: 2000,
  basesPageSize: 1000,
  listIteratorTtlSeconds: 15 * 60,
  rateLimitEnabled: true,
  perBaseRequestsPerSecond: 5,
  perPatUserRequestsPerSecond: 50,
  rateLimitPenaltyMs: 30_000,
});
