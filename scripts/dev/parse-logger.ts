/**
 * parse-server's log files on the local stack: kept in a folder only we can read, and a refused
 * client request logged as one line instead of a stack trace.
 *
 * Where the stacks came from: parse-server answers every Parse.Error a request ends with in
 * middlewares.js handleParseErrors, which logs `log.error('Parse error: ', err)`; winston then
 * writes the error's `stack` into the line. A refusal (a CLP, or one of our beforeFind triggers)
 * is an expected 4xx answer, not a fault. Our triggers now throw errors without a stack
 * (cloud/triggers.ts `refusal`, which also holds on Back4App); the refusals parse-server makes
 * itself (CLP checks, e.g. on _Session, which allows no trigger) go through
 * Error.js createSanitizedError, which already logs the detailed reason on a line of its own and
 * hands the client "Permission denied" - so the second, generic line adds nothing and is dropped
 * here. Internal errors (code 1) and failed cloud code (141) keep their stacks.
 *
 * Only the local stack can do this: on Back4App parse-server's options (loggerAdapter, logsFolder)
 * are Back4App's.
 */
import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Parse.Error codes whose stack is worth keeping: INTERNAL_SERVER_ERROR, SCRIPT_FAILED. */
const KEEP_STACK = new Set([1, 141]);
/** What parse-server's createSanitizedError tells clients (src/Error.js default). */
const SANITIZED = 'Permission denied';

interface CodedError {
  code: number;
  message: string;
}

function isCodedError(v: unknown): v is Error & CodedError {
  return v instanceof Error && typeof (v as Partial<CodedError>).code === 'number';
}

/**
 * The arguments to log instead of `args`, or undefined to log nothing: a client error's stack is
 * dropped, and the generic line after a sanitized refusal (already logged in detail) is skipped.
 */
export function refusalArgs(args: unknown[]): unknown[] | undefined {
  const err = args.find(isCodedError);
  if (!err || KEEP_STACK.has(err.code)) return args;
  if (err.message === SANITIZED) return undefined;
  return args.map((a) => (a === err ? { code: err.code, message: err.message } : a));
}

interface LoggerAdapterClass {
  new (options: unknown): { log(...args: unknown[]): unknown };
}

/**
 * parse-server's own WinstonLoggerAdapter with the filter above; pass the class as the
 * `loggerAdapter` option (parse-server constructs it with its logger options). Load it only after
 * PARSE_SERVER_LOGS_FOLDER is set: parse-server reads that when its logger module loads.
 */
export function quietRefusalsLoggerAdapter(): LoggerAdapterClass {
  const { WinstonLoggerAdapter } =
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded late on purpose (above)
    require('parse-server/lib/Adapters/Logger/WinstonLoggerAdapter') as {
      WinstonLoggerAdapter: LoggerAdapterClass;
    };
  return class QuietRefusalsLoggerAdapter extends WinstonLoggerAdapter {
    override log(...args: unknown[]): unknown {
      const [level, ...rest] = args;
      const kept = refusalArgs(rest);
      return kept ? super.log(level, ...kept) : undefined;
    }
  };
}

/**
 * Creates `dir` readable by us only (0700) and takes away other users' access to what an earlier
 * run left in it: parse-server's file transport creates its files 0644.
 */
export function privateLogsFolder(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  for (const f of readdirSync(dir)) {
    const file = path.join(dir, f);
    if (statSync(file).isFile()) chmodSync(file, 0o600);
  }
  return dir;
}
