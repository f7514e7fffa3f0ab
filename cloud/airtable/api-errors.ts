/**
 * The one error type the Airtable Web API client throws, and the hints that tell a person (or
 * the model) how to fix the problem. Airtable's error shape is `{"error": {"type", "message"}}`,
 * sometimes just `{"error": "NOT_FOUND"}` (airtable.com/developers/web/api/errors).
 *
 * Nothing here ever contains a token: messages are built from Airtable's own type/message, the
 * HTTP status and our text; `redactSecret` scrubs the current token from Airtable's text anyway.
 */

/** The Airtable scopes our tools use (airtable.com/developers/web/api/scopes). */
export const AIRTABLE_SCOPES = [
  'data.records:read',
  'data.records:write',
  'data.recordComments:read',
  'data.recordComments:write',
  'schema.bases:read',
  'schema.bases:write',
  'webhook:manage',
  'user.email:read',
] as const;

export type AirtableScope = (typeof AIRTABLE_SCOPES)[number];

/** Where a personal access token's scopes and bases are edited. */
export const PAT_SETTINGS_URL = 'https://airtable.com/create/tokens';

/** Error types we add for problems that never reached (or never came back from) Airtable. */
export type LocalErrorType =
  'NETWORK_ERROR' | 'TIMEOUT' | 'RATE_LIMITED' | 'UNEXPECTED_RESPONSE' | 'RECONNECT_REQUIRED';

export interface AirtableErrorFacts {
  /** HTTP status; 0 when Airtable never answered (network error, timeout). */
  status: number;
  /** Airtable's error type (e.g. INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND) or a LocalErrorType. */
  type: string;
  /** Airtable's message, or ours for local errors. */
  airtableMessage: string;
  /** The scope the failed call needs, when it needs one. */
  requiredScope?: AirtableScope;
  /** For 429 / RATE_LIMITED: how long Airtable asked us to wait. */
  retryAfterMs?: number;
}

export interface HintContext {
  isPat: boolean;
  /** Scopes the user granted (OAuth only; empty or absent when unknown). */
  grantedScopes?: readonly string[];
  /** Where the person signs in again (supplied by the caller; the API client does not know it). */
  reconnectUrl?: string;
}

export class AirtableApiError extends Error implements AirtableErrorFacts {
  readonly status: number;
  readonly type: string;
  readonly airtableMessage: string;
  readonly requiredScope?: AirtableScope;
  readonly retryAfterMs?: number;
  /** How to fix it, for a person or the model. */
  readonly hint: string;

  constructor(facts: AirtableErrorFacts, hintContext: HintContext) {
    const hint = airtableErrorHint(facts, hintContext);
    const where = facts.status > 0 ? `Airtable ${facts.status} ${facts.type}` : facts.type;
    super(`${where}: ${facts.airtableMessage}${hint ? ` (${hint})` : ''}`);
    this.name = 'AirtableApiError';
    this.status = facts.status;
    this.type = facts.type;
    this.airtableMessage = facts.airtableMessage;
    if (facts.requiredScope !== undefined) this.requiredScope = facts.requiredScope;
    if (facts.retryAfterMs !== undefined) this.retryAfterMs = facts.retryAfterMs;
    this.hint = hint;
  }

  /** True when only signing in again can help (401 after a failed refresh). */
  get reconnectRequired(): boolean {
    return this.status === 401 || this.type === 'RECONNECT_REQUIRED';
  }
}

function reconnect(ctx: HintContext): string {
  return ctx.reconnectUrl ? `sign in again at ${ctx.reconnectUrl}` : 'sign in again';
}

/** Fixes for Airtable's common 422 types (airtable.com/developers/web/api/errors). */
const TYPE_HINTS: Record<string, string> = {
  INVALID_FILTER_BY_FORMULA:
    'fix the formula: field names go in {braces}, text in "double quotes" with \\" and \\\\ escaped; for plain text search use search_records',
  UNKNOWN_FIELD_NAME:
    'a field name is wrong: describe_table lists the exact names (they are case-sensitive)',
  INVALID_VALUE_FOR_COLUMN:
    'a value does not fit its field type: check the format with describe_table, or pass typecast: true to let Airtable convert it',
  INVALID_MULTIPLE_CHOICE_OPTIONS:
    'a select option does not exist: use an existing choice (describe_table) or pass typecast: true to create it',
  LIST_RECORDS_ITERATOR_NOT_AVAILABLE:
    'the offset expired (they last a few minutes): start again without offset',
  INVALID_RECORDS: 'check the records: each needs a "fields" object (and an "id" when updating)',
};

/**
 * The fix for an Airtable error. Airtable answers 403 INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND both
 * for a missing scope and for a base the token was not granted (or that does not exist), so the
 * hint names the scope the call needs and says which of the two is likelier.
 */
export function airtableErrorHint(facts: AirtableErrorFacts, ctx: HintContext): string {
  const scope = facts.requiredScope;
  if (facts.status === 401 || facts.type === 'RECONNECT_REQUIRED') {
    return ctx.isPat
      ? `the personal access token was rejected (revoked, expired or mistyped); create one at ${PAT_SETTINGS_URL} and ${reconnect(ctx)}`
      : `the Airtable authorization expired or was revoked; ${reconnect(ctx)}`;
  }
  if (facts.status === 403) {
    if (ctx.isPat) {
      return (
        `the personal access token may lack the ${scope ? `"${scope}" scope` : 'needed scope'} or access to this base` +
        ` (or the base, table or record does not exist); edit it at ${PAT_SETTINGS_URL} or ${reconnect(ctx)} with another token`
      );
    }
    const granted = ctx.grantedScopes ?? [];
    if (scope && granted.length > 0 && !granted.includes(scope)) {
      return `this connection was not granted the "${scope}" scope; ${reconnect(ctx)} and approve it (the server's AIRTABLE_SCOPES must include it)`;
    }
    return (
      'the base may not be shared with this connection, or the base, table or record does not exist;' +
      ` ${reconnect(ctx)} and add the base on Airtable's access screen` +
      (scope ? ` (this call needs the "${scope}" scope)` : '')
    );
  }
  const byType = TYPE_HINTS[facts.type];
  if (byType) return byType;
  if (facts.status === 404) {
    return 'check the base id, table name or id, and record id: list_bases and list_tables show valid ones';
  }
  if (facts.status === 422) {
    return 'Airtable rejected the request: check field names, field types and value formats (describe_table shows them)';
  }
  if (facts.status === 413) {
    return 'the request is too large for Airtable: send fewer records or shorter values';
  }
  if (facts.status === 429 || facts.type === 'RATE_LIMITED') {
    const s = Math.ceil((facts.retryAfterMs ?? 30_000) / 1000);
    return `Airtable allows 5 requests per second per base (50 per second per user for tokens); try again in about ${s} s`;
  }
  if (facts.type === 'TIMEOUT' || facts.type === 'NETWORK_ERROR' || facts.status >= 500) {
    return 'Airtable could not be reached or failed; try again shortly';
  }
  return '';
}

/** Replaces every occurrence of `secret` in `text` (defence in depth: Airtable never echoes tokens). */
export function redactSecret(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 8) return text;
  return text.split(secret).join('[redacted]');
}
