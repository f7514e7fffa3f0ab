/**
 * Structured logs (pino) with every secret-bearing field redacted, whatever the call site passes.
 * Tokens, session ids, keys and authorization headers never reach a log line.
 */
import pino from 'pino';

export const REDACT_PATHS = [
  'token',
  'tokens',
  'access_token',
  'refresh_token',
  'api_key',
  'session_id',
  'code',
  'code_verifier',
  'client_secret',
  'password',
  'authorization',
  '*.token',
  '*.tokens',
  '*.access_token',
  '*.refresh_token',
  '*.api_key',
  '*.session_id',
  '*.code_verifier',
  '*.client_secret',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
];

export const log = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { app: 'airtable-mcp' },
  redact: { paths: REDACT_PATHS, censor: '[redacted]' },
});
