/**
 * A fresh Express app with only the OAuth server's routes, on memory stores, listening on an
 * ephemeral port; plus the steps of the flow (register, authorize, consent, token) as helpers.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { loadConfig } from '../../cloud/config';
import { randomSecret } from '../../cloud/crypto/keyed-hash';
import { MemoryOAuthServerStore } from '../../cloud/oauth-server/store/memory-store';
import type { OAuthServerDeps } from '../../cloud/oauth-server/options';
import { registerOAuthServerRoutes, type OAuthRateLimits } from '../../cloud/oauth-server/routes';
import type { PendingAuthorization } from '../../cloud/storage/base';
import { MemoryStorage } from '../../cloud/storage/memory-store';

export const PUBLIC_URL = 'https://mcp.example.com';
export const RESOURCE = `${PUBLIC_URL}/mcp`;
export const REDIRECT = 'https://client.example.com/callback';
export const AIRTABLE_AUTHORIZE = 'https://airtable.example/oauth2/v1/authorize?state=x';

export interface Fixture {
  url: string;
  deps: OAuthServerDeps;
  store: MemoryOAuthServerStore;
  storage: MemoryStorage;
  signIns: { platform: string; pendingAuthorization?: PendingAuthorization; browser: string }[];
  clock: { now: Date };
  close(): Promise<void>;
}

export async function startFixture(
  opts: {
    preParse?: boolean;
    rateLimits?: Partial<OAuthRateLimits>;
    /** Use the listener's own URL as PUBLIC_URL (for real clients that follow the metadata). */
    selfUrl?: boolean;
  } = {},
): Promise<Fixture> {
  const app = express();
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    SECRET_KEY: randomBytes(32).toString('base64url'),
    ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    PUBLIC_URL: opts.selfUrl ? url : PUBLIC_URL,
  });
  const clock = { now: new Date() };
  const now = () => new Date(clock.now);
  const storage = new MemoryStorage({
    secretKey: config.secretKey,
    encryptionKeys: config.encryptionKeys,
    now,
  });
  const store = new MemoryOAuthServerStore(now);
  const signIns: Fixture['signIns'] = [];
  const deps: OAuthServerDeps = {
    config,
    storage,
    fetch: () => Promise.reject(new Error('no network in unit tests')),
    now,
    oauthStore: store,
    airtableSignIn: {
      start: async (o) => {
        signIns.push(o);
        return AIRTABLE_AUTHORIZE;
      },
    },
  };
  if (opts.preParse) {
    app.use(express.json());
    app.use(express.urlencoded({ extended: false }));
  }
  // Suites register many clients from one address: the limits have tests of their own.
  registerOAuthServerRoutes(app, {
    ...deps,
    oauthRateLimits: opts.rateLimits ?? { registrations: 10_000, authorizations: 10_000 },
  });
  return {
    url,
    deps,
    store,
    storage,
    signIns,
    clock,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomSecret(48);
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return {
    res,
    status: res.status,
    json: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
  };
}

export async function postForm(
  url: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    /* an HTML page */
  }
  return { res, status: res.status, json, text };
}

export async function registerClient(
  f: Fixture,
  metadata: Record<string, unknown> = {},
): Promise<{ clientId: string; clientSecret?: string }> {
  const { status, json } = await postJson(`${f.url}/register`, {
    redirect_uris: [REDIRECT],
    token_endpoint_auth_method: 'none',
    client_name: 'Test Client',
    ...metadata,
  });
  if (status !== 201) throw new Error(`register failed: ${status} ${JSON.stringify(json)}`);
  return {
    clientId: String(json.client_id),
    ...(json.client_secret ? { clientSecret: String(json.client_secret) } : {}),
  };
}

export function authorizeUrl(f: Fixture, params: Record<string, string | undefined>): string {
  const u = new URL(`${f.url}/authorize`);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  return u.toString();
}

export async function getAuthorize(url: string, cookie?: string) {
  const res = await fetch(url, { redirect: 'manual', headers: cookie ? { Cookie: cookie } : {} });
  const text = await res.text();
  return { res, status: res.status, text, location: res.headers.get('location') };
}

/** Opens the consent page; returns the form token and the browser cookie it is bound to. */
export async function openConsent(
  f: Fixture,
  params: Record<string, string | undefined>,
  cookie?: string,
): Promise<{ consent: string; cookie: string; html: string }> {
  const page = await getAuthorize(authorizeUrl(f, params), cookie);
  if (page.status !== 200)
    throw new Error(`consent page: ${page.status} ${page.location ?? page.text}`);
  const m = /name="consent" value="([^"]+)"/.exec(page.text);
  const setCookie = page.res.headers.get('set-cookie');
  const browser = setCookie ? setCookie.split(';')[0]! : (cookie ?? '');
  return { consent: m![1]!, cookie: [cookie, browser].filter(Boolean).join('; '), html: page.text };
}

export async function decide(
  f: Fixture,
  consent: string,
  cookie: string,
  decision: 'approve' | 'approve_other_account' | 'deny',
  headers: Record<string, string> = {},
) {
  return postForm(
    `${f.url}/authorize/decision`,
    { consent, decision },
    { Cookie: cookie, 'Sec-Fetch-Site': 'same-origin', ...headers },
  );
}

/** Signs a user in (seed session + active Airtable credential); returns the session cookie. */
export async function signIn(f: Fixture, userId = 'usrTEST0000000001'): Promise<string> {
  const credentialId = await f.storage.createUserToken(
    userId,
    { kind: 'pat', accessToken: 'patAIRTABLE.secret', scope: '' },
    new Date(f.clock.now.getTime() + 86_400_000),
  );
  const { secret } = await f.storage.createSession(
    userId,
    { platform: 'other', kind: 'session', credentialId },
    86_400_000,
  );
  return `session_id=${secret}`;
}

/** The whole front half: register (public), consent, approve while signed in -> code. */
export async function obtainCode(
  f: Fixture,
  extra: Record<string, string> = {},
): Promise<{ clientId: string; code: string; verifier: string; location: URL }> {
  const { clientId } = await registerClient(f);
  const { verifier, challenge } = pkcePair();
  const session = await signIn(f);
  const { consent, cookie } = await openConsent(
    f,
    {
      client_id: clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 'st-123',
      resource: RESOURCE,
      ...extra,
    },
    session,
  );
  const answer = await decide(f, consent, cookie, 'approve');
  if (answer.status !== 303) throw new Error(`decision: ${answer.status} ${answer.text}`);
  const location = new URL(answer.res.headers.get('location')!);
  return { clientId, code: location.searchParams.get('code')!, verifier, location };
}

export async function exchangeCode(
  f: Fixture,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
) {
  return postForm(`${f.url}/token`, { grant_type: 'authorization_code', ...fields }, headers);
}
