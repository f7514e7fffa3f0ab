/**
 * Airtable-shaped identifiers and opaque secrets. Airtable ids are a three-letter prefix plus 14
 * alphanumerics (`app...`, `tbl...`, `fld...`, `viw...`, `rec...`, `usr...`, `com...`, `sel...`);
 * personal access tokens are `pat` + 14 chars + `.` + 64 hex chars
 * (airtable.com/developers/web/guides/personal-access-tokens).
 */
import { randomBytes, randomInt } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export type IdPrefix =
  | 'app'
  | 'tbl'
  | 'fld'
  | 'viw'
  | 'rec'
  | 'usr'
  | 'com'
  | 'sel'
  | 'itr'
  | 'att'
  | 'ogr'
  | 'wsp'
  | 'ach';

function alnum(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[randomInt(ALNUM.length)];
  return s;
}

export function newId(prefix: IdPrefix): string {
  return prefix + alnum(14);
}

/** True when `s` looks like an Airtable id with this prefix. */
export function isId(prefix: IdPrefix, s: string): boolean {
  return s.length === 17 && s.startsWith(prefix) && /^[A-Za-z0-9]+$/.test(s);
}

export function newPatToken(): string {
  return `pat${alnum(14)}.${randomBytes(32).toString('hex')}`;
}

export const PAT_PATTERN = /^pat[A-Za-z0-9]{14}\.[0-9a-f]{64}$/;

/**
 * An opaque OAuth secret (code, access or refresh token). Lengths vary on purpose: Airtable's
 * OAuth reference says to treat tokens as opaque strings whose size may change.
 */
export function newOpaqueSecret(prefix: string): string {
  return `${prefix}${randomBytes(randomInt(24, 72)).toString('base64url')}.v1.${randomBytes(randomInt(8, 40)).toString('base64url')}`;
}
