/**
 * Which local server is running, for the tools that talk to it (schema:apply --local, deploy's
 * secret scan). `npm start` writes <DATA_DIR>/server.json while it runs (and removes it when it
 * stops); `npm run start:sandbox` does the same in <DATA_DIR>/sandbox. Each folder also holds its
 * own dev-secrets.json, so a tool finds the URL and the keys of the server that actually runs.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeAtomic } from '../build/build-cache.cjs';
import { devSecretsFile } from './dev-env';

const ServerInfoSchema = z.object({
  pid: z.number().int().positive(),
  url: z.string().url(),
  parseServerUrl: z.string().url(),
  sandbox: z.boolean(),
  startedAt: z.string(),
});
export type ServerInfo = z.infer<typeof ServerInfoSchema>;

export const serverInfoFile = (dataDir: string) => path.join(dataDir, 'server.json');

/** Sandbox data lives beside, never inside, the normal database: `<DATA_DIR or .data>/sandbox`. */
export function sandboxDataDir(baseDataDir: string): string {
  return path.join(baseDataDir, 'sandbox');
}

export function baseDataDir(rootDir: string, env: NodeJS.ProcessEnv): string {
  return path.resolve(rootDir, env.DATA_DIR || '.data');
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function writeServerInfo(dataDir: string, info: ServerInfo): void {
  writeAtomic(serverInfoFile(dataDir), `${JSON.stringify(info, null, 2)}\n`);
}

/** Removes server.json if this process wrote it. */
export function removeServerInfo(dataDir: string): void {
  const info = readServerInfo(dataDir);
  if (info?.pid === process.pid) rmSync(serverInfoFile(dataDir), { force: true });
}

function readServerInfo(dataDir: string): ServerInfo | undefined {
  try {
    const parsed = ServerInfoSchema.safeParse(
      JSON.parse(readFileSync(serverInfoFile(dataDir), 'utf8')),
    );
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The server started from `dataDir`, if its process still runs. */
export function runningServer(dataDir: string): ServerInfo | undefined {
  const info = readServerInfo(dataDir);
  return info && processAlive(info.pid) ? info : undefined;
}

export interface LocalTarget {
  dataDir: string;
  secretsFile: string;
  sandbox: boolean;
  running: ServerInfo | undefined;
  /** True when the sandbox was picked because it is the one running (no --sandbox given). */
  detected: boolean;
}

/**
 * The local server a tool should use: the sandbox when asked (`sandbox`), else npm start's when it
 * runs, else the sandbox when only the sandbox runs, else npm start's (not running).
 */
export function localTarget(
  rootDir: string,
  env: NodeJS.ProcessEnv,
  sandbox: boolean,
): LocalTarget {
  const base = baseDataDir(rootDir, env);
  const box = sandboxDataDir(base);
  const make = (dataDir: string, isSandbox: boolean, detected: boolean): LocalTarget => ({
    dataDir,
    secretsFile: devSecretsFile(dataDir),
    sandbox: isSandbox,
    running: runningServer(dataDir),
    detected,
  });
  if (sandbox) return make(box, true, false);
  const normal = make(base, false, false);
  if (normal.running) return normal;
  if (runningServer(box)) return make(box, true, true);
  return normal;
}

/** Every development secrets file that exists (deploy's secret scan looks for all of them). */
export function existingDevSecretsFiles(rootDir: string, env: NodeJS.ProcessEnv): string[] {
  const base = baseDataDir(rootDir, env);
  return [devSecretsFile(base), devSecretsFile(sandboxDataDir(base))].filter((f) => existsSync(f));
}
