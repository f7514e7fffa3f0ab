/**
 * Structured logs (pino) with every secret-bearing field redacted, whatever the call site passes.
 * Tokens, session ids, keys and authorization headers never reach a log line. Lines written while
 * an HTTP request is handled carry its `requestId` (cloud/observability/request-context.ts).
 */
import pino from 'pino';
import { logLevelFromEnv } from './config';
import { currentRequestId } from './observability/request-store';

/**
 * Field names that may hold a secret, in the spellings our code and the protocols use (OAuth's
 * snake_case, our camelCase, HTTP header names). Redacted at the top level and up to three levels
 * down (pino wildcards match one level each), e.g. `{ tokens: ... }`, `{ err: { refreshToken } }`,
 * `{ req: { headers: { authorization } } }`.
 */
export const SECRET_FIELDS = [
  'token',
  'tokens',
  'access_token',
  'accessToken',
  'refresh_token',
  'refreshToken',
  'id_token',
  'api_key',
  'apiKey',
  'pat',
  'session_id',
  'sessionId',
  'secret',
  'code',
  'code_verifier',
  'codeVerifier',
  'encryptedCodeVerifier',
  'client_secret',
  'clientSecret',
  'state',
  'password',
  'masterKey',
  'master_key',
  'encryptionKey',
  'secretKey',
  'authorization',
  'cookie',
  'set-cookie',
  'x-parse-master-key',
  'x-parse-rest-api-key',
  'x-parse-javascript-key',
  'x-parse-session-token',
  'SECRET_KEY',
  'ENCRYPTION_KEY',
  'PARSE_MASTER_KEY',
  'AIRTABLE_CLIENT_SECRET',
] as const;

function at(prefix: string, field: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(field)
    ? `${prefix}${prefix ? '.' : ''}${field}`
    : `${prefix}["${field}"]`;
}

export const REDACT_PATHS: string[] = SECRET_FIELDS.flatMap((f) => [
  at('', f),
  at('*', f),
  at('*.*', f),
  at('*.*.*', f),
]);

export interface LoggerOptions {
  level?: string;
  /** Where lines go (tests capture them); default stdout. */
  destination?: pino.DestinationStream;
}

export function createLogger(opts: LoggerOptions = {}): pino.Logger {
  const options: pino.LoggerOptions = {
    // LOG_LEVEL itself: this logger exists before the configuration is loaded (config.ts).
    level: opts.level ?? logLevelFromEnv(),
    base: { app: 'airtable-mcp' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    mixin: () => {
      const requestId = currentRequestId();
      return requestId ? { requestId } : {};
    },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

export const log = createLogger();
