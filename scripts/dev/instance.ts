/**
 * One more server process on an existing database (benchmarks; tests use
 * test/helpers/child-stack.ts): reads the same environment as the harness (DATABASE_URI, secrets,
 * Airtable URLs), boots the stack with the already-built bundle in INSTANCE_DIST_DIR, prints
 * "READY <url>" and runs until SIGTERM.
 *
 * Its port: with LISTEN_HANDOVER=1, a socket the parent bound and sends over IPC (scripts/dev/ports.ts:
 * the parent knows the port first, and nobody can take it meanwhile); otherwise PORT (0: any).
 *
 * Benchmarks only: with BENCH_MEMORY_PROBE=1 and node's --expose-gc, SIGUSR2 runs a full garbage
 * collection and prints `MEMORY {"rss":...,"heapUsed":...}` (bytes) - the memory the process
 * really holds, without the garbage a collection would free anyway.
 *
 * Benchmarks only: with BENCH_CPU_PROFILE=<file.cpuprofile> (instead of the memory probe), the
 * first SIGUSR2 starts V8's sampling profiler (node:inspector, in this process: no --inspect
 * port) and prints `PROFILING`; the second stops it, writes the profile to that file and prints
 * `PROFILE <file>` - so a profile covers the load a bench drives, not start-up or warm-up.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { bindHttp } from './listener';
import { receiveListener } from './ports';
import { startStack } from './stack';

export async function main(): Promise<void> {
  const need = (k: string): string => {
    const v = process.env[k];
    if (!v) throw new Error(`${k} is required`);
    return v;
  };
  const server =
    process.env.LISTEN_HANDOVER === '1'
      ? await bindHttp(await receiveListener())
      : await bindHttp(Number(need('PORT')));
  process.env.PORT = String(server.port);
  const stack = await startStack({
    server,
    databaseUri: need('DATABASE_URI'),
    distDir: need('INSTANCE_DIST_DIR'),
    appId: need('PARSE_APP_ID'),
    masterKey: need('PARSE_MASTER_KEY'),
    restApiKey: need('PARSE_REST_API_KEY'),
    javascriptKey: process.env.PARSE_JAVASCRIPT_KEY ?? need('PARSE_REST_API_KEY'),
    silent: true,
  });
  const gc = (globalThis as { gc?: () => void }).gc;
  if (process.env.BENCH_MEMORY_PROBE === '1' && gc)
    process.on('SIGUSR2', () => {
      gc();
      gc();
      const m = process.memoryUsage();
      console.log(
        `MEMORY ${JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers })}`,
      );
    });
  const profileFile = process.env.BENCH_CPU_PROFILE;
  if (profileFile) {
    if (process.env.BENCH_MEMORY_PROBE === '1')
      throw new Error('BENCH_CPU_PROFILE and BENCH_MEMORY_PROBE both use SIGUSR2; set one');
    cpuProfileOnSignal(profileFile);
  }
  console.log(`READY ${stack.url}`);
  const stop = () => void stack.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** SIGUSR2 starts the sampling profiler, the next one writes `file` (see the header). */
function cpuProfileOnSignal(file: string): void {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))),
    );
  let running = false;
  process.on('SIGUSR2', () => {
    const step = running
      ? post('Profiler.stop').then((r) => {
          writeFileSync(file, JSON.stringify((r as { profile: unknown }).profile));
          console.log(`PROFILE ${file}`);
        })
      : post('Profiler.enable')
          // 250 us between samples (V8's default is 1 ms): enough samples in a short load window.
          .then(() => post('Profiler.setSamplingInterval', { interval: 250 }))
          .then(() => post('Profiler.start'))
          .then(() => console.log('PROFILING'));
    running = !running;
    step.catch((err: unknown) => console.log(`PROFILE-ERROR ${String(err)}`));
  });
}

if (require.main === module)
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
