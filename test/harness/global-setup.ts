/**
 * Boots what is deployed - the esbuild bundle loaded as Cloud Code with Back4App's globals
 * emulated - on a real parse-server and a fresh database, once per `jest` run. Tests reach it over
 * HTTP (TEST_BASE_URL). Database: a fresh embedded PostgreSQL; TEST_DB=mongo uses
 * mongodb-memory-server when a mongod binary can be had, and says so once when it cannot.
 *
 * Files: only under this run's folder in .data/tmp (run-dir.ts), TMPDIR included. Ports: chosen
 * by the OS while binding (port 0), never "found free" and bound later.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { build } from '../../scripts/build/build';
import { bindHttp, startEmbeddedPostgres, startStack } from '../../scripts/dev/stack';
import { FakeAirtableAdminClient } from '../../fake-airtable/admin-client';
import { productEnv, startFakeAirtable } from '../../fake-airtable/server';
import { createRunDir } from './run-dir';

type Stoppable = { stop(): Promise<void> };
const g = globalThis as { __stoppers?: Stoppable[] };

async function mongoUri(): Promise<{ uri: string; stop(): Promise<void> } | undefined> {
  try {
    const { MongoMemoryServer } = await import('mongodb-memory-server');
    const mongod = await MongoMemoryServer.create();
    return { uri: mongod.getUri('parse'), stop: async () => void (await mongod.stop()) };
  } catch (err) {
    console.warn(
      `\nTEST_DB=mongo: no mongod binary available (${(err as Error).message.split('\n')[0]}); running on embedded PostgreSQL instead. Set MONGOMS_SYSTEM_BINARY to a mongod to test MongoDB.`,
    );
    return undefined;
  }
}

export default async function globalSetup(): Promise<void> {
  g.__stoppers = [];
  const run = createRunDir();
  // os.tmpdir() reads TMPDIR at every call: this process, the workers and their children.
  process.env.TMPDIR = run.tmp;
  process.env.TEST_RUN_DIR = run.dir;
  const dataDir = path.join(run.dir, 'harness');
  const distDir = path.join(dataDir, 'dist');
  await build(distDir);
  const fake = await startFakeAirtable({ port: 0 });
  g.__stoppers.push(fake);

  const early = await bindHttp(0);
  const port = early.port;
  // Airtable redirects only to registered URIs (exact match): register ours with the fake.
  await new FakeAirtableAdminClient(fake.url).registerRedirectUri(
    `http://localhost:${port}/auth/callback`,
  );
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    PORT: String(port),
    PUBLIC_URL: `http://localhost:${port}`,
    SECRET_KEY: randomBytes(32).toString('base64url'),
    ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    PARSE_APP_ID: 'test-app',
    PARSE_MASTER_KEY: randomBytes(16).toString('hex'),
    PARSE_REST_API_KEY: randomBytes(16).toString('hex'),
    PARSE_JAVASCRIPT_KEY: randomBytes(16).toString('hex'),
    ...productEnv(fake),
    LOG_LEVEL: 'silent',
    // As behind Back4App's one front proxy: the last X-Forwarded-For entry is the client, so test
    // files can each come from addresses of their own (test/helpers/airtable.ts sessionFromPat).
    TRUST_PROXY_HOPS: '1',
    TEST_DATA_DIR: dataDir,
    TEST_DIST_DIR: distDir,
    TEST_FAKE_AIRTABLE_URL: fake.url,
  };
  Object.assign(process.env, env);

  let databaseUri: string | undefined;
  if (process.env.TEST_DB === 'mongo') {
    const mongo = await mongoUri();
    if (mongo) {
      g.__stoppers.push(mongo);
      databaseUri = mongo.uri;
    }
  }
  if (!databaseUri) {
    const pg = await startEmbeddedPostgres(dataDir, { throwaway: true });
    g.__stoppers.push(pg);
    databaseUri = pg.uri;
  }
  process.env.TEST_DATABASE_URI = databaseUri;
  const stack = await startStack({
    server: early,
    databaseUri,
    dataDir,
    distDir,
    appId: env.PARSE_APP_ID!,
    masterKey: env.PARSE_MASTER_KEY!,
    restApiKey: env.PARSE_REST_API_KEY!,
    javascriptKey: env.PARSE_JAVASCRIPT_KEY!,
    preParseBodies: process.env.TEST_PRE_PARSED_BODIES === '1',
    silent: true,
  });
  g.__stoppers.unshift(stack);
  process.env.TEST_BASE_URL = stack.url;
  const res = await fetch(`${stack.url}/health`);
  await res.text();
  if (res.status !== 200) throw new Error(`the test stack answered /health with ${res.status}`);
}
