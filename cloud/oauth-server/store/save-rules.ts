/**
 * beforeSave rules for the authorization server's classes, in the shape cloud/triggers.ts uses
 * (SaveRule, cloud/save-rule.ts), so they can join its RULES map: hashed columns only ever hold a keyed hash (64 hex
 * digits), never the secret, and every row carries its expires_at (the cleanup job needs it).
 */
import { HASH_PATTERN } from '../../storage/codec';
import type { SavedObject, SaveRule } from '../../save-rule';
import { OAUTH_CLASSES } from './parse-store';

const changed = (obj: SavedObject, isCreate: boolean, key: string) => isCreate || obj.dirty(key);

function rule(className: string, hashed: string, opts: { hashOptional?: boolean } = {}): SaveRule {
  return (obj, isCreate) => {
    if (changed(obj, isCreate, 'expires_at') && !(obj.get('expires_at') instanceof Date))
      return `${className}.expires_at is required and must be a Date`;
    if (!changed(obj, isCreate, hashed)) return undefined;
    const v = obj.get(hashed);
    if (opts.hashOptional && (v === undefined || v === null)) return undefined;
    if (typeof v === 'string' && HASH_PATTERN.test(v)) return undefined;
    return `${className}.${hashed} must be the keyed hash (64 hex digits) of the secret, never the secret`;
  };
}

function required(className: string, field: string, base: SaveRule): SaveRule {
  return (obj, isCreate, keys) => {
    const problem = base(obj, isCreate, keys);
    if (problem) return problem;
    if (!changed(obj, isCreate, field)) return undefined;
    const v = obj.get(field);
    return typeof v === 'string' && v.length > 0 ? undefined : `${className}.${field} is required`;
  };
}

export const OAUTH_SAVE_RULES: Record<string, SaveRule> = {
  [OAUTH_CLASSES.client]: required(
    OAUTH_CLASSES.client,
    'client_id',
    rule(OAUTH_CLASSES.client, 'secret_hash', { hashOptional: true }),
  ),
  [OAUTH_CLASSES.consent]: rule(OAUTH_CLASSES.consent, 'consent_id'),
  [OAUTH_CLASSES.code]: rule(OAUTH_CLASSES.code, 'code'),
  [OAUTH_CLASSES.refreshToken]: required(
    OAUTH_CLASSES.refreshToken,
    'grant_id',
    rule(OAUTH_CLASSES.refreshToken, 'token'),
  ),
  [OAUTH_CLASSES.grant]: required(OAUTH_CLASSES.grant, 'grant_id', (obj, isCreate) =>
    changed(obj, isCreate, 'expires_at') && !(obj.get('expires_at') instanceof Date)
      ? `${OAUTH_CLASSES.grant}.expires_at is required and must be a Date`
      : undefined,
  ),
};
