/**
 * Triggers on our classes: the second lock behind the master-key-only CLPs (schema/*.json), and
 * the guarantee that nothing readable lands at rest - even a master-key write from the dashboard
 * cannot store a plaintext Airtable credential, an unencrypted PKCE verifier or a raw session id.
 *
 * Our own code writes these classes on every request (claims, sessions), so each check is a few
 * comparisons plus at most one Fernet HMAC check (no database access).
 */
import { getConfig } from './config';
import { OAUTH_SAVE_RULES } from './oauth-server/store/save-rules';
import { getParse } from './parse-runtime';
import { CLASSES, HASH_PATTERN, parseStoredStateData, tryDecrypt } from './storage/codec';
import type { SavedObject, SaveRule } from './save-rule';
import { ONLY_IF_EXPIRED_BEFORE, STILL_LIVE_MESSAGE } from './storage/parse-ops';

export type { SavedObject, SaveRule } from './save-rule';

const changed = (obj: SavedObject, isCreate: boolean, key: string) => isCreate || obj.dirty(key);

function checkCommon(obj: SavedObject, isCreate: boolean, className: string): string | undefined {
  if (changed(obj, isCreate, 'expires_at') && !(obj.get('expires_at') instanceof Date))
    return `${className}.expires_at is required and must be a Date`;
  return undefined;
}

function checkHash(obj: SavedObject, isCreate: boolean, field: string, className: string) {
  if (!changed(obj, isCreate, field)) return undefined;
  const v = obj.get(field);
  if (typeof v === 'string' && HASH_PATTERN.test(v)) return undefined;
  return `${className}.${field} must be the keyed hash (64 hex digits) of the secret, never the secret`;
}

export const userTokenRule: SaveRule = (obj, isCreate, keys) => {
  const common = checkCommon(obj, isCreate, CLASSES.token);
  if (common) return common;
  if (changed(obj, isCreate, 'user_id')) {
    const userId = obj.get('user_id');
    if (typeof userId !== 'string' || userId.length === 0) return 'UserToken.user_id is required';
  }
  if (changed(obj, isCreate, 'tokens') && !tryDecrypt(obj.get('tokens'), keys))
    return 'UserToken.tokens must be a Fernet token made with a configured ENCRYPTION_KEY; plaintext credentials are refused';
  if (obj.dirty('status') && !['active', 'dead'].includes(String(obj.get('status'))))
    return 'UserToken.status must be active or dead';
  if (obj.dirty('kind') && !['oauth', 'pat'].includes(String(obj.get('kind'))))
    return 'UserToken.kind must be oauth or pat';
  return undefined;
};

export const oauthStateRule: SaveRule = (obj, isCreate, keys) => {
  const problem =
    checkCommon(obj, isCreate, CLASSES.state) ?? checkHash(obj, isCreate, 'state', CLASSES.state);
  if (problem) return problem;
  if (changed(obj, isCreate, 'data')) {
    const stored = parseStoredStateData(obj.get('data'));
    if (!stored || !tryDecrypt(stored.encryptedCodeVerifier, keys))
      return 'OAuthState.data must hold the PKCE verifier Fernet-encrypted with a configured ENCRYPTION_KEY';
  }
  return undefined;
};

export const userSessionRule: SaveRule = (obj, isCreate) => {
  const problem =
    checkCommon(obj, isCreate, CLASSES.session) ??
    checkHash(obj, isCreate, 'session_id', CLASSES.session);
  if (problem) return problem;
  if (changed(obj, isCreate, 'user_id')) {
    const userId = obj.get('user_id');
    if (typeof userId !== 'string' || userId.length === 0) return 'UserSession.user_id is required';
  }
  return undefined;
};

/**
 * A cleanup delete carries context {onlyIfExpiredBefore: ISO}; the row it sees here was re-read by
 * parse-server just before the DELETE (rest.js del()), so a renewal since the job's read wins.
 */
export function stillLive(obj: SavedObject, context: Record<string, unknown> | undefined) {
  const before = context?.[ONLY_IF_EXPIRED_BEFORE];
  if (typeof before !== 'string') return false;
  const expiresAt = obj.get('expires_at');
  return !(expiresAt instanceof Date) || expiresAt.getTime() >= Date.parse(before);
}

/** Every class of ours: the token vault's and our OAuth server's (cloud/oauth-server/store/save-rules.ts). */
const RULES: Record<string, SaveRule> = {
  [CLASSES.token]: userTokenRule,
  [CLASSES.state]: oauthStateRule,
  [CLASSES.session]: userSessionRule,
  ...OAUTH_SAVE_RULES,
};

/**
 * Parse's built-ins a client key could write by default (schema/_*.json locks them too). _Session
 * is not here: parse-server allows only afterLogout on it, so its CLP alone locks it.
 */
export const LOCKED_BUILTINS_WITH_TRIGGERS = ['_User', '_Role', '_Installation'] as const;

/**
 * A refusal is an expected answer, not a fault: parse-server logs the error object it is given
 * (middlewares.js handleParseErrors), stack included when there is one, so ours carries none and
 * logs as one line - here and on Back4App, whose parse-server options we cannot set.
 */
export function refusal(code: number, message: string): Error {
  const Parse = getParse();
  const err: { stack?: string } & Error = new Parse.Error(code, message);
  delete err.stack;
  return err;
}

export function registerTriggers(): void {
  const Parse = getParse();
  const masterOnly = (req: { master: boolean }) => {
    if (!req.master)
      throw refusal(Parse.Error.OPERATION_FORBIDDEN, 'This class is master-key only.');
  };
  for (const [className, rule] of Object.entries(RULES)) {
    Parse.Cloud.beforeSave(className, (req) => {
      masterOnly(req);
      const problem = rule(req.object, !req.original, getConfig().encryptionKeys);
      if (problem) throw refusal(Parse.Error.VALIDATION_ERROR, problem);
    });
    // find, get and count: the CLPs already refuse client keys; this holds even if they drift.
    Parse.Cloud.beforeFind(className, masterOnly);
  }
  // The built-ins this server never uses: the same second lock behind their CLPs, which matters
  // where parse-server's options are out of our hands (Back4App: anonymous sign-up stays enabled).
  for (const className of LOCKED_BUILTINS_WITH_TRIGGERS) {
    Parse.Cloud.beforeSave(className, masterOnly);
    Parse.Cloud.beforeFind(className, masterOnly);
  }
  // Only on UserToken: parse-server re-reads the row before each delete once a beforeDelete
  // exists (rest.js del()), which cost about 40% of the delete rate on OAuthState/UserSession
  // (measured on the embedded PostgreSQL). There the CLP (delete: master only) is
  // enough: object ids are unguessable and beforeFind keeps client keys from listing them. On
  // UserToken the re-read is what makes the cleanup's delete conditional (stillLive above), and
  // deletes are rare (one row per user).
  Parse.Cloud.beforeDelete(CLASSES.token, (req) => {
    masterOnly(req);
    if (stillLive(req.object, req.context))
      throw refusal(Parse.Error.OPERATION_FORBIDDEN, STILL_LIVE_MESSAGE);
  });
}
