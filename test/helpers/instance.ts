/**
 * One more server process (scripts/dev/instance.ts) on the harness's database, for multi-instance and
 * fault tests: same secrets, same Airtable fake unless `env` says otherwise, its own port.
 *
 * The port is bound here and the listening socket handed to the child (scripts/dev/ports.ts), so a
 * test that must know the port first (PUBLIC_URL, a redirect URI registered with a fake) reserves
 * it with reservePort(), uses `reserved.port`, then passes `reserved`. Stop it in afterAll.
 */
import { spawn } from 'node:child_process';
import { handOver, reservePort, type ReservedPort } from '../../scripts/dev/ports';
import { harness } from '../harness/env';
import { ROOT, scriptCommand } from './node-script';

export { reservePort, type ReservedPort } from '../../scripts/dev/ports';

export interface Instance {
  url: string;
  port: number;
  pid: number;
  /** SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void>;
  /** SIGKILL: the process dies mid-whatever (fault tests). */
  kill(): Promise<void>;
}

export async function startInstance(
  extraEnv: Record<string, string> = {},
  reserved?: ReservedPort,
): Promise<Instance> {
  const h = harness();
  const port = reserved ?? (await reservePort());
  const [command, args] = scriptCommand('scripts/dev/instance.ts');
  const child = spawn(command, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      LISTEN_HANDOVER: '1',
      DATABASE_URI: h.databaseUri,
      INSTANCE_DIST_DIR: h.distDir,
      // Same public identity as the main instance, so sessions and OAuth resources match.
      PUBLIC_URL: h.baseUrl,
      MCP_ALLOWED_HOSTS: `localhost:${port.port},127.0.0.1:${port.port}`,
      LOG_LEVEL: 'silent',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  try {
    await handOver(child, port);
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`instance did not start: ${stderr}`)),
        90_000,
      );
      child.stdout!.on('data', (d: Buffer) => {
        const m = /READY (\S+)/.exec(d.toString());
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`instance exited ${code}: ${stderr}`));
      });
    });
    return {
      url,
      port: port.port,
      pid: child.pid!,
      async stop() {
        if (!alive()) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      },
      async kill() {
        if (alive()) child.kill('SIGKILL');
        await exited;
      },
    };
  } catch (err) {
    if (alive()) child.kill('SIGKILL');
    await exited;
    port.server.close();
    throw err;
  }
}
