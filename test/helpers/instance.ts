/**
 * A second (third...) server process on the harness's database, for multi-instance tests: same
 * secrets, same Airtable fake, its own port. Stop it in afterAll.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../scripts/stack';
import { harness } from '../harness/env';

export interface Instance {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startInstance(extraEnv: Record<string, string> = {}): Promise<Instance> {
  const h = harness();
  const port = await freePort();
  const root = path.resolve(__dirname, '../..');
  const child = spawn(
    process.execPath,
    [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'scripts/instance.ts')],
    {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(port),
        DATABASE_URI: h.databaseUri,
        INSTANCE_DIST_DIR: h.distDir,
        // Same public identity as the main instance, so sessions and OAuth resources match.
        PUBLIC_URL: h.baseUrl,
        MCP_ALLOWED_HOSTS: `localhost:${port},127.0.0.1:${port}`,
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`instance did not start: ${stderr}`)), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      const m = /READY (\S+)/.exec(d.toString());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`instance exited ${code}: ${stderr}`)));
  });
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
