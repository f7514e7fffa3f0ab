/**
 * The local Back4App emulation used by `npm start`, the test harness and the benchmarks:
 * an embedded PostgreSQL (or DATABASE_URI), parse-server in-process with `cloud` = the built
 * dist/cloud/main.js, and one Express app exposed as `global.app` on which dist/cloud/app.js
 * registers its routes, with parse-server mounted at /parse - all on one port.
 *
 * Requests reach the routes only once our classes exist locked to the master key (what /health
 * checks); until then the port answers 503 "starting" (listener.ts).
 */
import express from 'express';
import { existsSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { checkSchema, type SchemaRequest } from '../../cloud/schema/apply';
import { CLASS_DEFINITIONS } from '../../cloud/schema/definitions';
import { DIST } from '../build/build';
import { databasePool, poolClosed } from './database-pool';
import { privateLogsFolder, quietRefusalsLoggerAdapter } from './parse-logger';
import { startEmbeddedPostgres, type EmbeddedPg } from './embedded-postgres';
import { bindHttp, PortInUseError, type EarlyServer } from './listener';
import { StackError } from './stack-error';

export { startEmbeddedPostgres } from './embedded-postgres';
export { bindHttp, PortInUseError } from './listener';
export { freePort } from './ports';
export { StackError } from './stack-error';

export interface StackOptions {
  /** Port to listen on (0: any free port). Ignored when `server` is given. */
  port?: number;
  /** A port already bound by bindHttp() (npm start binds it before anything else). */
  server?: EarlyServer;
  /** postgres:// or mongodb://; when absent an embedded PostgreSQL is started in `dataDir`. */
  databaseUri?: string | undefined;
  /** Embedded PostgreSQL and parse-server's log files (none when absent). */
  dataDir?: string;
  /** Fixed port for the embedded PostgreSQL (EMBEDDED_PG_PORT); default: a free one. */
  embeddedPgPort?: number | undefined;
  /** Folder holding cloud/main.js and cloud/app.js (default dist/). */
  distDir?: string;
  appId: string;
  masterKey: string;
  restApiKey: string;
  javascriptKey: string;
  /** Emulate a Back4App `app` that already parses JSON and form bodies. */
  preParseBodies?: boolean;
  /** Quiet parse-server logs (tests). */
  silent?: boolean;
  /**
   * parse-server's anonymous sign-up (default off here). Tests turn it on to prove that the CLPs
   * and triggers alone refuse it, as they must on Back4App, where this option is not ours to set.
   */
  enableAnonymousUsers?: boolean;
  /** How long to wait for the schema (default 120 s). */
  readyTimeoutMs?: number;
  /** Called with each start-up phase's duration (npm start reports them at debug level). */
  onPhase?: (name: string, ms: number) => void;
}

export interface RunningStack {
  url: string;
  port: number;
  databaseUri: string;
  stop(): Promise<void>;
}

type ParseServerClass = typeof import('parse-server').default;
let parseServerModule: Promise<ParseServerClass> | undefined;

/**
 * Loads parse-server (about 2 s of CPU on a busy machine); npm start starts this early. Its
 * module-level logger reads PARSE_SERVER_LOGS_FOLDER when it loads (else it writes ./logs of the
 * working directory): with `dataDir`, that is DATA_DIR/logs, readable by us only; without one,
 * no log files at all ('null', parse-server's nullParser).
 */
export function loadParseServer(dataDir?: string): Promise<ParseServerClass> {
  if (!parseServerModule)
    process.env.PARSE_SERVER_LOGS_FOLDER ??= dataDir
      ? privateLogsFolder(path.join(dataDir, 'logs'))
      : 'null';
  parseServerModule ??= import('parse-server').then((m) => {
    // A CommonJS module with __esModule: under node's import() `default` is its exports object,
    // under a CommonJS loader (jest, tsx) it is the class itself.
    const d = m.default as ParseServerClass | { default: ParseServerClass };
    return typeof d === 'function' ? d : d.default;
  });
  return parseServerModule;
}

/** parse-server's options: the emulation's, plus explicit values for every announced default change. */
function parseServerOptions(
  opts: StackOptions,
  port: number,
  url: string,
  databaseUri: string,
): Record<string, unknown> {
  const mainJs = path.join(opts.distDir ?? DIST, 'cloud', 'main.js');
  return {
    databaseURI: databaseUri,
    appId: opts.appId,
    masterKey: opts.masterKey,
    restAPIKey: opts.restApiKey,
    javascriptKey: opts.javascriptKey,
    serverURL: `http://127.0.0.1:${port}/parse`,
    publicServerURL: `${url}/parse`,
    cloud: mainJs,
    allowClientClassCreation: false,
    // This server has no Parse users: no anonymous sign-up either (schema/_User.json locks the
    // class itself, which is what holds on Back4App).
    enableAnonymousUsers: opts.enableAnonymousUsers ?? false,
    // parse-server's file logs go under the data folder (0700), not the working directory, and a
    // refused request logs one line, not a stack trace (scripts/dev/parse-logger.ts). None without dataDir.
    logsFolder: opts.dataDir ? privateLogsFolder(path.join(opts.dataDir, 'logs')) : null,
    loggerAdapter: quietRefusalsLoggerAdapter(),
    enforcePrivateUsers: true,
    // Explicit values for options whose defaults parse-server 9 announces it will change (no
    // deprecation warnings at start; lib/Deprecator/Deprecations.js lists them).
    fileUpload: { allowedFileUrlDomains: [] },
    pages: { encodePageParamHeaders: true },
    readOnlyMasterKeyIps: ['127.0.0.1', '::1'],
    requestComplexity: {
      includeDepth: 10,
      includeCount: 100,
      subqueryDepth: 10,
      queryDepth: 10,
      graphQLDepth: 20,
      graphQLFields: 200,
      batchRequestLimit: 100,
    },
    protectedFieldsOwnerExempt: false,
    // parse-server's current behaviour, which Back4App runs (its options are not ours to set).
    protectedFieldsTriggerExempt: false,
    protectedFieldsSaveResponseExempt: false,
    installation: { duplicateDeviceTokenActionEnforceAuth: true },
    allowAggregationForReadOnlyMasterKey: false,
    // parse-server logs every trigger's and function's input at info level; ours carry ciphertext
    // and hashes - keep them out of the logs, errors stay visible.
    logLevels: {
      triggerAfter: 'silent',
      triggerBeforeSuccess: 'silent',
      triggerBeforeError: 'error',
      cloudFunctionSuccess: 'silent',
      cloudFunctionError: 'error',
    },
    ...(opts.silent ? { silent: true, logLevel: 'error' } : {}),
  };
}

/**
 * ParseServer.start() prints a failure itself (console.error) before rethrowing it, so every
 * start-up error appeared twice. Its console.error output is held and shown only if start succeeds.
 */
async function startQuietly(server: { start(): Promise<unknown> }): Promise<void> {
  const held: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void held.push(args);
  try {
    await server.start();
  } finally {
    console.error = original;
  }
  for (const args of held) console.error(...args);
}

/** Master-key schema calls through parse-server's in-process REST controller (the global Parse). */
const masterRequest: SchemaRequest = (method, p, body) => {
  const Parse = (globalThis as { Parse?: typeof import('parse/node') }).Parse;
  if (!Parse) return Promise.reject(new Error('parse-server has not set the global Parse'));
  return Parse.CoreManager.getRESTController().request(method, p, body ?? {}, {
    useMasterKey: true,
  }) as Promise<unknown>;
};

/** Resolves once every class of ours exists as schema/ defines it - the same check as /health. */
async function waitForSchema(timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = 'not checked yet';
  let checks = 0;
  while (Date.now() < until) {
    try {
      const drift = await checkSchema(masterRequest, CLASS_DEFINITIONS);
      if (drift.length === 0) return;
      last = drift.map((d) => `${d.className}: ${d.problem}`).join('; ');
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    // Each check reads eight schemas through parse-server: back off, not to slow what we wait for.
    await new Promise((r) => setTimeout(r, Math.min(100 + 50 * checks++, 500)));
  }
  throw new StackError(
    `The schema was not ready ${Math.round(timeoutMs / 1000)} s after start (${last.slice(0, 300)}). Run npm run schema:apply -- --check --local for details.`,
  );
}

/** Boots the whole product on one port; resolves once it serves (schema ready). */
export async function startStack(opts: StackOptions): Promise<RunningStack> {
  const phase = opts.onPhase ?? (() => {});
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      phase(name, performance.now() - started);
    }
  };
  const appJs = path.join(opts.distDir ?? DIST, 'cloud', 'app.js');
  if (!existsSync(path.join(opts.distDir ?? DIST, 'cloud', 'main.js')) || !existsSync(appJs))
    throw new StackError('dist/cloud is missing: run npm run build first.');

  const early = opts.server ?? (await bindHttp(opts.port ?? 0));
  let pg: EmbeddedPg | undefined;
  let parseServer:
    { handleShutdown(): Promise<void>; server?: http.Server; config?: unknown } | undefined;
  const cleanup = async () => {
    if (parseServer?.server) {
      const pool = databasePool(parseServer);
      // Connections PostgreSQL's own shutdown terminates from here on are expected, not a crash.
      pool?.on('error', () => {});
      await parseServer.handleShutdown().catch(() => {});
      if (pool) await poolClosed(pool, 5_000);
    } else await early.close();
    if (pg) await pg.stop().catch(() => {});
  };
  try {
    let databaseUri = opts.databaseUri;
    if (!databaseUri) {
      if (!opts.dataDir) throw new StackError('startStack needs dataDir or databaseUri');
      const dataDir = opts.dataDir;
      pg = await timed('database', () =>
        startEmbeddedPostgres(dataDir, { port: opts.embeddedPgPort }),
      );
      databaseUri = pg.uri;
    }

    const url = `http://localhost:${early.port}`;
    process.env.PARSE_APP_ID ??= opts.appId;
    process.env.PARSE_MASTER_KEY ??= opts.masterKey;
    process.env.PARSE_REST_API_KEY ??= opts.restApiKey;
    process.env.PARSE_SERVER_URL ??= `${url}/parse`;

    // Back4App Web Hosting: one Express app, global `app`, parse-server at /parse.
    const app = express();
    app.disable('x-powered-by');
    (globalThis as { app?: unknown }).app = app;
    if (opts.preParseBodies) {
      app.use(express.json({ limit: '1mb' }));
      app.use(express.urlencoded({ extended: false }));
    }

    const ParseServer = await timed('parse-server load', () => loadParseServer(opts.dataDir));
    const options = parseServerOptions(opts, early.port, url, databaseUri);
    // Options newer than parse-server's bundled typings are set too, hence the cast.
    const server = new ParseServer(
      options as unknown as ConstructorParameters<typeof ParseServer>[0],
    );
    // Building parse-server's Express app installs its own uncaughtException handler, which prints
    // a raw stack trace and exits; the program that embeds the stack decides instead (npm start
    // treats PostgreSQL's shutdown during Ctrl-C as part of stopping).
    const handlers = process.listeners('uncaughtException');
    app.use('/parse', server.app);
    for (const l of process.listeners('uncaughtException'))
      if (!handlers.includes(l)) process.removeListener('uncaughtException', l);
    // start() first waits on the database (its own process); the routes load (CPU, here) meanwhile.
    const starting = timed('parse-server start', () => startQuietly(server));
    starting.catch(() => {}); // awaited below; a failure must not count as unhandled meanwhile
    // dist/cloud/app.js registers the product's routes on global.app (loaded as Back4App would;
    // it must not depend on main.js having run, since Back4App's order is not documented).
    await timed('routes', async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(appJs);
    });
    await starting;
    parseServer = server as unknown as typeof parseServer;
    parseServer!.server = early.server; // handleShutdown() closes it
    await timed('schema', () => waitForSchema(opts.readyTimeoutMs ?? 120_000));
    early.serve(app);

    let stopped = false;
    const finalUri = databaseUri;
    return {
      url,
      port: early.port,
      databaseUri: finalUri,
      async stop() {
        if (stopped) return;
        stopped = true;
        early.server.closeAllConnections();
        await cleanup();
      },
    };
  } catch (err) {
    await cleanup();
    if (err instanceof PortInUseError) throw new StackError(err.message);
    throw err;
  }
}
