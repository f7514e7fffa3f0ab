/**
 * Child process of `npm run test:compat` (scripts/compat/compat.ts): boots the built bundle on ONE
 * parse-server install given by path - with that install's own express as the Web Hosting `app`,
 * the way scripts/dev/stack.ts does with ours - and prints "COMPAT_READY <url> node <version>" once it
 * listens. Each parse-server version runs in its own process (and Node binary) so versions never
 * mix. The port is the OS's choice, bound first (PUBLIC_URL is derived from it before the bundle
 * reads its configuration).
 *
 * Input (environment): COMPAT_PARSE_SERVER_DIR, COMPAT_DIST_DIR, DATABASE_URI, PARSE_APP_ID,
 * PARSE_MASTER_KEY, PARSE_REST_API_KEY, plus the app's own variables.
 */
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';

function need(name: string): string {
  const v = process.env[name];
  if (!v)
    throw new Error(`${name} is not set (compat-boot is started by scripts/compat/compat.ts)`);
  return v;
}

async function main(): Promise<void> {
  const psDir = need('COMPAT_PARSE_SERVER_DIR');
  const dist = need('COMPAT_DIST_DIR');
  let handler: http.RequestListener = (_req, res) => res.writeHead(503).end();
  const httpServer = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => httpServer.listen(0, () => resolve()));
  const port = (httpServer.address() as { port: number }).port;
  process.env.PORT = String(port);
  process.env.PUBLIC_URL = `http://localhost:${port}`;
  // Resolve parse-server and express from the install under test, not from this repository.
  const load = createRequire(path.join(psDir, 'package.json'));
  // Loaded by path at run time, so there are no static types for these versions.
  const express = load('express') as () => http.RequestListener & {
    use: (...a: unknown[]) => void;
  };
  const mod = load('parse-server') as {
    default?: new (o: Record<string, unknown>) => ParseServerLike;
    ParseServer?: new (o: Record<string, unknown>) => ParseServerLike;
  };
  const ParseServer = mod.default ?? mod.ParseServer;
  if (!ParseServer) throw new Error(`no ParseServer export in ${psDir}`);

  const app = express();
  (globalThis as { app?: unknown }).app = app;
  const url = `http://localhost:${port}`;
  const server = new ParseServer({
    databaseURI: need('DATABASE_URI'),
    appId: need('PARSE_APP_ID'),
    masterKey: need('PARSE_MASTER_KEY'),
    restAPIKey: need('PARSE_REST_API_KEY'),
    javascriptKey: need('PARSE_REST_API_KEY'),
    serverURL: `http://127.0.0.1:${port}/parse`,
    publicServerURL: `${url}/parse`,
    cloud: path.join(dist, 'cloud', 'main.js'),
    allowClientClassCreation: false,
    silent: true,
    logLevel: 'error',
  });
  await server.start?.();
  app.use('/parse', server.app);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded as Back4App would
  require(path.join(dist, 'cloud', 'app.js'));
  handler = app;
  console.log(`COMPAT_READY ${url} node ${process.version}`);
}

interface ParseServerLike {
  start?: () => Promise<unknown>;
  app: unknown;
}

main().catch((err: unknown) => {
  console.error(
    `COMPAT_BOOT_FAILED ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
  );
  process.exit(1);
});
