/**
 * A real, throwaway redis-server for the shared-cache tests: started as a child process on a free
 * port (another one if it was taken meanwhile), no persistence (`--save '' --appendonly no`), stopped in afterAll. CI installs the Debian
 * package (.ci/run). Without the binary: under CI the test file fails with a clear message;
 * elsewhere it warns loudly and the Redis tests are skipped - never silently.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort } from '../../scripts/dev/ports';

export const REDIS_SERVER_BIN = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';

const MISSING =
  `redis-server not found at ${REDIS_SERVER_BIN}: install it ` +
  '(Debian: apt-get install redis-server) or set REDIS_SERVER_BIN.';

/**
 * `describe` when redis-server is installed. Otherwise: throws under CI, and elsewhere warns and
 * returns `describe.skip`, so the skip shows in the output.
 */
export function describeWithRedis(): jest.Describe {
  if (existsSync(REDIS_SERVER_BIN)) return describe;
  if (process.env.CI) throw new Error(`${MISSING} CI must run the Redis tests.`);
  console.warn(`\n*** SKIPPING the Redis tests: ${MISSING} ***\n`);
  return describe.skip;
}

export interface RedisServer {
  url: string;
  port: number;
  /** Stops the server (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty (an outage that ends). */
  restart(): Promise<void>;
}

function launch(port: number): Promise<ChildProcess> {
  const child = spawn(
    REDIS_SERVER_BIN,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`redis-server did not start within 10 s:\n${output}`)),
      10_000,
    );
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume(); // keep draining, or a full pipe would block the server
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}) before it was ready:\n${output}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
  });
}

/**
 * redis-server cannot take a socket bound by us, so it gets a port found free and, when it is
 * taken by the time redis-server binds it ("Address already in use"), another one. A restart()
 * reuses the port, which the clients know.
 */
export async function startRedis(): Promise<RedisServer> {
  let port = 0;
  let child: ChildProcess | undefined;
  for (let attempt = 1; !child; attempt++) {
    port = await freePort();
    try {
      child = await launch(port);
    } catch (err) {
      if (attempt >= 5 || !/Address already in use/.test((err as Error).message)) throw err;
    }
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () => stopChild(child!),
    restart: async () => {
      await stopChild(child!);
      child = await launch(port);
    },
  };
}
