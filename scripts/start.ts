/**
 * `npm start`: build, then run the whole product locally on one port (default 8000): embedded
 * PostgreSQL under .data/, parse-server with the built Cloud Code, the web routes and /mcp.
 * Ctrl-C / SIGTERM stop everything, PostgreSQL included. `--sandbox` (npm run start:sandbox) does
 * the same against the fake Airtable with sample bases, with its data in <DATA_DIR>/sandbox.
 */
import path from 'node:path';
import { ConfigError, loadConfig } from '../cloud/config';
import { build, ROOT } from './build';
import { applyDevSecrets, loadDotEnv } from './dev-env';
import { sandboxBanner, sandboxDataDir, startSandbox } from './sandbox';
import { StackError, startStack } from './stack';

/** PostgreSQL closing our connections: SQLSTATE 57P01 "terminating connection due to administrator command". */
function isDatabaseShuttingDown(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '57P01';
}

/** `.data/...` inside the repo, the absolute path elsewhere (DATA_DIR=/tmp/...). */
function shownPath(dir: string): string {
  const relative = path.relative(ROOT, dir);
  return relative.startsWith('..') ? dir : relative;
}

async function main(): Promise<void> {
  loadDotEnv(ROOT);
  const sandboxMode = process.argv.includes('--sandbox');
  const baseDataDir = path.resolve(ROOT, process.env.DATA_DIR ?? '.data');
  const dataDir = sandboxMode ? sandboxDataDir(baseDataDir) : baseDataDir;
  const secrets = applyDevSecrets(dataDir);
  if (secrets === 'generated')
    console.log(
      `Generated development-only secrets in ${shownPath(dataDir)}/dev-secrets.json (never use them in production).`,
    );
  let config = loadConfig(); // fail fast with the variable's name
  // The fake must run and AIRTABLE_* point at it before startStack loads the bundle.
  const sandbox = sandboxMode ? await startSandbox(config) : undefined;
  if (sandbox) config = loadConfig();
  await build().catch(async (err: unknown) => {
    await sandbox?.stop();
    throw err;
  });
  const stack = await startStack({
    port: config.port,
    databaseUri: config.databaseUri,
    dataDir,
    appId: process.env.PARSE_APP_ID!,
    masterKey: process.env.PARSE_MASTER_KEY!,
    restApiKey: process.env.PARSE_REST_API_KEY!,
    javascriptKey: process.env.PARSE_JAVASCRIPT_KEY ?? process.env.PARSE_REST_API_KEY!,
    preParseBodies: process.env.EMULATE_BODY_PARSER === '1',
  }).catch(async (err: unknown) => {
    await sandbox?.stop();
    throw err;
  });
  const hooks = await import('./start-hooks')
    .then((m) => m.startHooks(stack, config))
    .catch(() => undefined);
  console.log(
    `Airtable MCP server on ${config.publicUrl}  (MCP endpoint ${config.publicUrl}/mcp, health ${config.publicUrl}/health)`,
  );
  if (sandbox) console.log(sandboxBanner(sandbox, config, shownPath(dataDir)));
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    await hooks?.stop().catch(() => {});
    await stack.stop();
    await sandbox?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // Ctrl-C in a terminal signals the whole process group: PostgreSQL starts a fast shutdown at
  // the same moment and drops our connections, which parse-server's own uncaughtException handler
  // would report as a crash with a stack trace. That is part of stopping, not an error.
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', (err) => {
    if (isDatabaseShuttingDown(err)) return void shutdown('PostgreSQL stopped');
    console.error(err.stack ?? err.message);
    process.exit(1);
  });
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof StackError) console.error(err.message);
  else console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
