/**
 * "Does this request carry the master key?" for operator-only routes on the web app (Cloud Code
 * functions get `requireMaster` from parse-server instead). Compared in constant time over
 * SHA-256 digests, so neither the key's content nor its length leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { getConfig } from '../config';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The configured master keys: PARSE_MASTER_KEY and the Parse SDK's (parse-server sets it). */
export function configuredMasterKeys(): string[] {
  const fromParse = (globalThis as { Parse?: { masterKey?: unknown } }).Parse?.masterKey;
  const keys = [getConfig().parse.masterKey, typeof fromParse === 'string' ? fromParse : undefined];
  return [...new Set(keys.filter((k): k is string => typeof k === 'string' && k.length >= 8))];
}

export function hasMasterKey(req: Request, keys = configuredMasterKeys()): boolean {
  const raw = req.headers['x-parse-master-key'];
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 1024) return false;
  const presented = digest(raw);
  let ok = false;
  // Every configured key is compared, match or not: the time taken does not say which matched.
  for (const key of keys) ok = timingSafeEqual(presented, digest(key)) || ok;
  return ok;
}
