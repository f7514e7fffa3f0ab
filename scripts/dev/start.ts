/**
 * `npm start` (run by scripts/run.cjs with plain node): the whole product locally on one port
 * (default 8000): embedded PostgreSQL under .data/, parse-server with the built Cloud Code, the
 * web routes and /mcp. `--sandbox` (npm run start:sandbox) does the same against the fake Airtable
 * with sample bases, with its data in <DATA_DIR>/sandbox.
 *
 * Start-up, fastest path first: bind PORT (a busy port fails at once), then at the same time
 * rebuild dist/cloud if a source changed, start (or check) the database and load parse-server,
 * then start parse-server, load the routes and wait for the schema. The banner appears once
 * /health answers 200. Every failure is one line naming the setting and the fix.
 *
 * Stopping: SIGINT or SIGTERM (to this process, or to npm, which passes it on) closes the routes,
 * parse-server, the database and the sandbox, in that order, and exits 0; so does npm's death.
 */
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from '../../cloud/config';
import { buildIfStale, ROOT } from '../build/build';
import { checkDatabaseUri } from './database-check';
import { applyDevSecrets, loadDotEnv } from './dev-env';
import { needsInitdb, preloadEmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';
import { bindHttp, PortInUseError } from './listener';
import { baseDataDir, removeServerInfo, sandboxDataDir, writeServerInfo } from './local-server';
import { sandboxBanner, startSandbox } from './sandbox';
import { loadParseServer, startStack } from './stack';
import { StackError } from './stack-error';
import { StartTimings } from './start-timings';

/** PostgreSQL closing our connections: SQLSTATE 57P01 "terminating connection due to administrator command". */
function isDatabaseShuttingDown(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '57P01';
}

/** `.data/...` inside the repo, the absolute path elsewhere (DATA_DIR=/somewhere/else). */
function shownPath(dir: string): string {
  const relative = path.relative(ROOT, dir);
  return relative.startsWith('..') ? dir : relative;
}

/** Things started so far, stopped in reverse order (also when start-up is interrupted). */
class Running {
  private readonly stops: { name: string; stop: () => Promise<void> }[] = [];
  add(name: string, stop: () => Promise<void>): void {
    this.stops.push({ name, stop });
  }
  async stopAll(): Promise<void> {
    for (const { stop } of this.stops.reverse()) await stop().catch(() => {});
    this.stops.length = 0;
  }
}

/** Runs `tasks` together; if one fails, stops what the others started, then throws the first error. */
async function together<A, B>(
  a: Promise<A>,
  b: Promise<B>,
  undo: { a?: (v: A) => Promise<void>; b?: (v: B) => Promise<void> },
): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'fulfilled' && rb.status === 'fulfilled') return [ra.value, rb.value];
  if (ra.status === 'fulfilled') await undo.a?.(ra.value).catch(() => {});
  if (rb.status === 'fulfilled') await undo.b?.(rb.value).catch(() => {});
  throw ra.status === 'rejected' ? ra.reason : (rb as PromiseRejectedResult).reason;
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const timings = new StartTimings();
  const sandboxMode = argv.includes('--sandbox');
  const running = new Running();
  let stopping = false;
  let dataDir = '';

  const shutdown = async (reason: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    console.log(`${reason}: shutting down`);
    // Never hang: whatever still runs after 20 s is left to the exit (PostgreSQL got SIGQUIT).
    setTimeout(() => process.exit(code || 1), 20_000).unref();
    await running.stopAll();
    if (dataDir) removeServerInfo(dataDir);
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // npm forwards SIGINT/SIGTERM to its child, which is this process (the npm script `exec`s node;
  // without it, the shell in between would swallow SIGINT). If npm itself dies (SIGKILL), nothing
  // would ever stop us: this process is handed to the init process, seen as a change of parent.
  // Only under npm (npm_lifecycle_event): started some other way, a parent may leave on purpose.
  const parent = process.ppid;
  if (process.env.npm_lifecycle_event)
    setInterval(() => {
      if (process.ppid !== parent) void shutdown('npm (the parent process) exited');
    }, 250).unref();
  // Ctrl-C in a terminal signals the whole process group: PostgreSQL starts a fast shutdown at
  // the same moment and drops our connections, which parse-server's own uncaughtException handler
  // would report as a crash with a stack trace. That is part of stopping, not an error.
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', (err) => {
    if (stopping || isDatabaseShuttingDown(err)) return void shutdown('PostgreSQL stopped');
    console.error(err.stack ?? err.message);
    void shutdown('Unexpected error', 1);
  });

  try {
    loadDotEnv(ROOT);
    const base = baseDataDir(ROOT, process.env);
    dataDir = sandboxMode ? sandboxDataDir(base) : base;
    const secrets = applyDevSecrets(dataDir);
    if (secrets.outcome === 'generated')
      console.log(
        `Generated development-only secrets in ${shownPath(dataDir)}/dev-secrets.json (never use them in production).`,
      );
    if (secrets.replacedPlaceholders.length > 0)
      console.log(
        `${secrets.replacedPlaceholders.join(', ')}: .env.example placeholders, replaced by the development secrets in ${shownPath(dataDir)}/dev-secrets.json.`,
      );
    let config: Config = loadConfig(); // fail fast, naming the variable
    // Loading parse-server takes about 2 s of CPU on this thread, in one block: it waits until
    // the build and initdb (when there is one) run in their own processes, which it then overlaps.
    const preloadParseServer = () => void loadParseServer(dataDir).catch(() => {});
    const initdb = !config.databaseUri && needsInitdb(dataDir);
    if (!config.databaseUri) preloadEmbeddedPostgres();

    const early = await bindHttp(config.port);
    running.add('http', () => early.close());
    if (config.port === 0) {
      process.env.PORT = String(early.port); // PORT=0: the port the OS chose, for PUBLIC_URL
      config = loadConfig();
    }
    const debug = config.logLevel === 'debug' || config.logLevel === 'trace';
    if (debug)
      console.log(`Listening on http://localhost:${early.port}: 503 "starting" until ready.`);
    // The fake must run and AIRTABLE_* point at it before startStack loads the bundle.
    const sandbox = sandboxMode
      ? await timings.time('sandbox', () => startSandbox(config))
      : undefined;
    if (sandbox) {
      running.add('sandbox', () => sandbox.stop());
      config = loadConfig();
    }

    const databaseUri = config.databaseUri;
    const building = timings.time(
      'cloud build',
      () => buildIfStale(),
      (r) => (r.built ? 'rebuilt' : 'up to date'),
    );
    // Not while a connection check runs: its timeout would fire while this thread is busy.
    if (!initdb && !databaseUri) setImmediate(preloadParseServer);
    const [, database] = await together(
      building,
      databaseUri
        ? timings
            .time('database check', () => checkDatabaseUri(databaseUri))
            .then(() => preloadParseServer())
            .then(() => ({
              uri: databaseUri,
              stop: async () => {},
            }))
        : timings.time(
            'database',
            () =>
              startEmbeddedPostgres(dataDir, {
                port: config.embeddedPgPort,
                ownSignals: true,
                whileInitdbRuns: preloadParseServer,
              }),
            (pg) => `port ${pg.port}${pg.initialised ? ', initdb' : ''}`,
          ),
      { b: (db) => db.stop() },
    );
    running.add('database', () => database.stop());

    const stack = await startStack({
      server: early,
      databaseUri: database.uri,
      dataDir,
      appId: process.env.PARSE_APP_ID!,
      masterKey: process.env.PARSE_MASTER_KEY!,
      restApiKey: process.env.PARSE_REST_API_KEY!,
      javascriptKey: process.env.PARSE_JAVASCRIPT_KEY ?? process.env.PARSE_REST_API_KEY!,
      preParseBodies: process.env.EMULATE_BODY_PARSER === '1',
      onPhase: (name, ms) => timings.add(name, ms),
    });
    running.add('stack', () => stack.stop());

    const health = await fetch(`${stack.url}/health`, { signal: AbortSignal.timeout(30_000) });
    await health.text();
    if (health.status !== 200)
      throw new StackError(
        `GET /health answered ${health.status} once started: run npm run schema:apply -- --check --local.`,
      );
    writeServerInfo(dataDir, {
      pid: process.pid,
      url: stack.url,
      parseServerUrl: `${stack.url}/parse`,
      sandbox: sandboxMode,
      startedAt: new Date().toISOString(),
    });
    const hooks = await import('./start-hooks')
      .then((m) => m.startHooks(stack, config))
      .catch(() => undefined);
    if (hooks) running.add('hooks', () => hooks.stop());
    const seconds = (performance.now() / 1000).toFixed(1);
    console.log(
      `Airtable MCP server on ${config.publicUrl}  (MCP endpoint ${config.publicUrl}/mcp, health ${config.publicUrl}/health; ready in ${seconds} s)`,
    );
    if (sandbox) console.log(sandboxBanner(sandbox, config, shownPath(dataDir)));
    if (debug) console.log(timings.line());
  } catch (err) {
    if (stopping) return; // interrupted while starting: shutdown() reports and exits
    stopping = true;
    if (err instanceof ConfigError || err instanceof StackError || err instanceof PortInUseError)
      console.error(err.message);
    else console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    await running.stopAll();
    process.exit(1);
  }
}

if (require.main === module) void main();
