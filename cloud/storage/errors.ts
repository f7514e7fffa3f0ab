/**
 * Turning database failures into StorageUnavailableError (callers answer 503 "try again") while
 * every other error - a bug, a refused write - propagates unchanged.
 */
import { StorageUnavailableError } from './base';

/** Parse.Error codes (parse SDK ParseError.ts). */
export const PARSE_CODES = {
  OTHER_CAUSE: -1,
  /** parse-server's answer when the database adapter throws (MongoStorageAdapter maps to it). */
  INTERNAL_SERVER_ERROR: 1,
  /** The SDK could not reach the server at all (HTTP clients, after its retries). */
  CONNECTION_FAILED: 100,
  OBJECT_NOT_FOUND: 101,
  TIMEOUT: 124,
  OPERATION_FORBIDDEN: 119,
  SCRIPT_FAILED: 141,
  VALIDATION_ERROR: 142,
  AGGREGATE_ERROR: 600,
} as const;

const UNAVAILABLE_PARSE_CODES = new Set<number>([
  PARSE_CODES.INTERNAL_SERVER_ERROR,
  PARSE_CODES.CONNECTION_FAILED,
  PARSE_CODES.TIMEOUT,
]);

/**
 * Node socket errors, PostgreSQL SQLSTATE class 08 (connection exception) and 57P0x (server
 * shutting down) - postgresql.org/docs/current/errcodes-appendix.html - as surfaced by pg-promise
 * through parse-server's in-process REST controller (Cloud Code with directAccess).
 */
const UNAVAILABLE_SYSTEM_CODES = new Set<string>([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
]);

/** MongoDB driver errors that mean "no server to talk to" (mongodb node driver error classes). */
const UNAVAILABLE_ERROR_NAMES = new Set<string>([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
]);

export function isUnavailableError(err: unknown): boolean {
  if (err instanceof StorageUnavailableError) return true;
  if (!err || typeof err !== 'object') return false;
  const { code, name, message, cause } = err as {
    code?: unknown;
    name?: unknown;
    message?: unknown;
    cause?: unknown;
  };
  if (typeof code === 'number' && UNAVAILABLE_PARSE_CODES.has(code)) return true;
  if (typeof code === 'string' && UNAVAILABLE_SYSTEM_CODES.has(code)) return true;
  if (typeof name === 'string' && UNAVAILABLE_ERROR_NAMES.has(name)) return true;
  if (cause && cause !== err && isUnavailableError(cause)) return true;
  // The parse SDK over HTTP wraps fetch failures as a ParseError without a code, carrying only
  // undici's "fetch failed" or its own "Unable to connect to the Parse API" (RESTController.js).
  return (
    typeof message === 'string' &&
    /^fetch failed$|Unable to connect to the Parse API|\bECONNREFUSED\b|Connection terminated/.test(
      message,
    )
  );
}

/** Runs `fn`, converting database outages into StorageUnavailableError. */
export async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof StorageUnavailableError) throw err;
    if (isUnavailableError(err)) throw new StorageUnavailableError();
    throw err;
  }
}

export function isObjectNotFound(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === PARSE_CODES.OBJECT_NOT_FOUND;
}
