/**
 * A strict fake of Airtable's OAuth endpoints and Web API on node:http, for the test suite and
 * `npm run start:sandbox`. See fake-airtable/README.md for the rules it enforces and the admin API.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeAdmin } from './admin/fake-admin';
import { FakeClock } from './clock';
import { DEFAULT_CONFIG } from './config';
import type { FakeContext } from './context';
import { dispatch } from './http/router';
import { seedSample } from './seed/sample';
import { Store } from './state/store';
import { FaultInjector } from './traffic/faults';
import { RateLimiter } from './traffic/rate-limiter';
import { Stats } from './traffic/stats';

export { FakeAdmin } from './admin/fake-admin';
export type { BaseSpec } from './admin/admin-schemas';
export type { FakeConfig } from './config';
export type { StatsSnapshot } from './traffic/stats';
export { SAMPLE_IDS } from './seed/sample';

export interface StartFakeAirtableOptions {
  /** 0 picks a free port. */
  port: number;
  /** Default 127.0.0.1 (the admin API has no authentication). */
  host?: string;
  /** Default: a random UUID (Airtable client ids are UUIDs). */
  clientId?: string;
  /** Default: a random secret; null: an integration without a client secret. */
  clientSecret?: string | null;
  /** Redirect URIs registered exactly for the default client (default none; add with the admin API). */
  redirectUris?: string[];
  seed?: 'sample' | 'none';
  /** Log one line per request and serve a small index page. */
  sandbox?: boolean;
}

export interface FakeAirtable {
  /** e.g. http://127.0.0.1:8089 - both the OAuth base URL and the API base URL. */
  url: string;
  /** `${url}/content`: the stand-in for content.airtable.com (AIRTABLE_CONTENT_BASE_URL). */
  contentUrl: string;
  clientId: string;
  /** '' when the client was started without a secret (clientSecret: null). */
  clientSecret: string;
  stop(): Promise<void>;
  admin: FakeAdmin;
}

/**
 * The settings that point our server at this fake: its OAuth client, and the fake as the OAuth,
 * Web API and content hosts (the product reaches Airtable only through these base URLs).
 */
export function productEnv(
  fake: Pick<FakeAirtable, 'url' | 'contentUrl' | 'clientId' | 'clientSecret'>,
): Record<string, string> {
  return {
    AIRTABLE_CLIENT_ID: fake.clientId,
    AIRTABLE_CLIENT_SECRET: fake.clientSecret,
    AIRTABLE_OAUTH_BASE_URL: fake.url,
    AIRTABLE_API_BASE_URL: fake.url,
    AIRTABLE_CONTENT_BASE_URL: fake.contentUrl,
  };
}

export async function startFakeAirtable(opts: StartFakeAirtableOptions): Promise<FakeAirtable> {
  const host = opts.host ?? '127.0.0.1';
  // Real Airtable ids and secrets are opaque; these carry "-", "_" and "." so that a client that
  // form-encodes them (RFC 6749 section 2.3.1 style) fails here as it might at Airtable.
  const clientId = opts.clientId ?? `${randomUUID()}.fake_client`;
  const clientSecret =
    opts.clientSecret === undefined
      ? `${randomBytes(16).toString('hex')}-secret_v1.${randomBytes(16).toString('hex')}`
      : opts.clientSecret;
  const ctx: FakeContext = {
    store: new Store(),
    clock: new FakeClock(),
    config: { ...DEFAULT_CONFIG },
    stats: new Stats(),
    faults: new FaultInjector(),
    rateLimiter: new RateLimiter(),
    defaultClientId: clientId,
    url: '',
    sandbox: opts.sandbox ?? false,
  };

  const admin: FakeAdmin = new FakeAdmin(ctx, ({ keepClients }) => {
    const clients = ctx.store.clients;
    ctx.store = new Store();
    ctx.clock.reset();
    Object.assign(ctx.config, DEFAULT_CONFIG);
    ctx.stats.reset();
    ctx.faults.clear();
    ctx.rateLimiter.reset();
    if (keepClients) for (const [id, c] of clients) ctx.store.clients.set(id, c);
    else
      ctx.store.clients.set(clientId, {
        clientId,
        clientSecret,
        redirectUris: new Set(opts.redirectUris ?? []),
      });
    if (opts.seed === 'sample') seedSample(admin);
  });
  admin.reset();

  // Node refuses request lines over 16 KiB with a bare 431; allow more so that the fake can
  // answer Airtable's own "URL too long" error for URLs over 16,000 characters.
  const server = http.createServer({ maxHeaderSize: 256 * 1024 }, (req, res) => {
    dispatch(ctx, admin, req, res).catch((err: unknown) => {
      console.error('[fake-airtable] unhandled', err);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  // Idle keep-alive sockets: Node closes them after 5 s by default, and a client (undici) that
  // reuses one just as it closes gets "other side closed" - a flake on a loaded machine. A long
  // server-side timeout leaves closing to the client, which knows when it stops using a socket.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  ctx.url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let stopped = false;
  return {
    url: ctx.url,
    contentUrl: `${ctx.url}/content`,
    clientId,
    clientSecret: clientSecret ?? '',
    admin,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
