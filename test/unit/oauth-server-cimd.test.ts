/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document): fetched only from
 * public addresses, within 5 s and 64 KiB, no redirects, cached; the document must name itself
 * and list the redirect URI. OAUTH_CIMD_ALLOW_PRIVATE=1 lets these tests serve documents locally.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  clearClientMetadataDocumentCache,
  parseClientMetadataDocument,
} from '../../cloud/oauth-server/clients/client-metadata-document';
import { resetConfigCache } from '../../cloud/config';
import { isPublicAddress } from '../../cloud/oauth-server/clients/safe-address';
import {
  authorizeUrl,
  decide,
  exchangeCode,
  getAuthorize,
  openConsent,
  pkcePair,
  REDIRECT,
  RESOURCE,
  signIn,
  startFixture,
  type Fixture,
} from './oauth-server-fixture';

type Route = (req: http.IncomingMessage, res: http.ServerResponse, base: string) => void;
const routes = new Map<string, Route>();
let hits = new Map<string, number>();
let docServer: http.Server;
let base: string;
let f: Fixture;
const { challenge, verifier } = pkcePair();

function doc(path: string, body: (url: string) => unknown): void {
  routes.set(path, (_req, res, b) => {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(body(`${b}${path}`)));
  });
}

beforeAll(async () => {
  docServer = http.createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const route = routes.get(path);
    if (route) route(req, res, base);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => docServer.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(docServer.address() as AddressInfo).port}`;
  f = await startFixture();

  doc('/good.json', (url) => ({
    client_id: url,
    client_name: 'Metadata Client',
    redirect_uris: [REDIRECT],
    token_endpoint_auth_method: 'none',
  }));
  doc('/other-id.json', () => ({
    client_id: 'https://elsewhere.example/x',
    redirect_uris: [REDIRECT],
  }));
  doc('/secret.json', (url) => ({ client_id: url, redirect_uris: [REDIRECT], client_secret: 's' }));
  doc('/basic.json', (url) => ({
    client_id: url,
    redirect_uris: [REDIRECT],
    token_endpoint_auth_method: 'client_secret_basic',
  }));
  routes.set('/big.json', (_req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ pad: 'x'.repeat(70 * 1024) }));
  });
  routes.set('/redirect.json', (_req, res, b) => {
    res.writeHead(302, { Location: `${b}/good.json` }).end();
  });
  routes.set('/slow.json', () => {
    /* never answers */
  });
});

afterAll(async () => {
  await f.close();
  docServer.closeAllConnections();
  await new Promise((r) => docServer.close(r));
});

// The flag is part of the configuration (cloud/config.ts), loaded once: reload it after a change.
beforeEach(() => {
  process.env.OAUTH_CIMD_ALLOW_PRIVATE = '1';
  resetConfigCache();
  clearClientMetadataDocumentCache();
  hits = new Map();
});
afterEach(() => {
  delete process.env.OAUTH_CIMD_ALLOW_PRIVATE;
  resetConfigCache();
});

const params = (clientId: string, extra: Record<string, string> = {}) => ({
  client_id: clientId,
  redirect_uri: REDIRECT,
  response_type: 'code',
  code_challenge: challenge,
  code_challenge_method: 'S256',
  resource: RESOURCE,
  ...extra,
});

describe('a served document', () => {
  it('identifies the client on the consent page, and the flow completes with the URL as client_id', async () => {
    const clientId = `${base}/good.json`;
    const session = await signIn(f);
    const { consent, cookie, html } = await openConsent(f, params(clientId), session);
    expect(html).toContain('Metadata Client');
    expect(html).toContain('identified by its metadata document');
    const answer = await decide(f, consent, cookie, 'approve');
    const code = new URL(answer.res.headers.get('location')!).searchParams.get('code')!;
    const tokens = await exchangeCode(f, { code, code_verifier: verifier, client_id: clientId });
    expect(tokens.status).toBe(200);
    expect(tokens.json.refresh_token).toBeTruthy();
  });

  it('is cached between requests', async () => {
    const clientId = `${base}/good.json`;
    await openConsent(f, params(clientId));
    await openConsent(f, params(clientId));
    expect(hits.get('/good.json')).toBe(1);
  });

  it('must list the redirect URI exactly', async () => {
    const page = await getAuthorize(
      authorizeUrl(
        f,
        params(`${base}/good.json`, { redirect_uri: 'https://client.example.com/x' }),
      ),
    );
    expect(page.status).toBe(400);
    expect(page.location).toBeNull();
  });
});

describe('refused documents are shown as errors, never redirected', () => {
  it.each([
    ['/other-id.json', 'another client_id'],
    ['/secret.json', 'client_secret'],
    ['/basic.json', 'not supported'],
    ['/big.json', 'too large'],
    ['/redirect.json', 'redirects'],
    ['/missing.json', 'HTTP 404'],
  ])('%s', async (path, message) => {
    const page = await getAuthorize(authorizeUrl(f, params(`${base}${path}`)));
    expect(page.status).toBe(400);
    expect(page.location).toBeNull();
    expect(page.text).toContain(message);
  });

  it('times out after 5 seconds', async () => {
    const started = Date.now();
    const page = await getAuthorize(authorizeUrl(f, params(`${base}/slow.json`)));
    expect(page.status).toBe(400);
    expect(page.text).toContain('timed out');
    expect(Date.now() - started).toBeLessThan(8000);
  }, 15_000);

  it('an unknown client at the token endpoint is invalid_client (401)', async () => {
    const res = await exchangeCode(f, {
      code: 'A'.repeat(43),
      code_verifier: verifier,
      client_id: `${base}/missing.json`,
    });
    expect(res.status).toBe(401);
    expect(res.json.error).toBe('invalid_client');
  });
});

describe('without OAUTH_CIMD_ALLOW_PRIVATE', () => {
  beforeEach(() => {
    delete process.env.OAUTH_CIMD_ALLOW_PRIVATE;
    resetConfigCache();
  });

  it('refuses a loopback IP literal before connecting', async () => {
    const port = new URL(base).port;
    const page = await getAuthorize(authorizeUrl(f, params(`https://127.0.0.1:${port}/good.json`)));
    expect(page.status).toBe(400);
    expect(page.text).toContain('non-public address');
    expect(hits.size).toBe(0);
  });

  it('refuses a host name that resolves to a private address', async () => {
    const port = new URL(base).port;
    const page = await getAuthorize(authorizeUrl(f, params(`https://localhost:${port}/good.json`)));
    expect(page.status).toBe(400);
    expect(page.text).toContain('non-public address');
    expect(hits.size).toBe(0);
  });

  it('does not treat an http URL as a metadata document', async () => {
    const page = await getAuthorize(authorizeUrl(f, params(`${base}/good.json`)));
    expect(page.status).toBe(400);
    expect(page.text).toContain('Unknown client_id');
    expect(hits.size).toBe(0);
  });

  it.each([
    ['no path', 'https://client.example.com'],
    ['a fragment', 'https://client.example.com/doc.json#x'],
    ['credentials', 'https://u:p@client.example.com/doc.json'],
    ['dot segments', 'https://client.example.com/a/../doc.json'],
  ])('refuses a client_id URL with %s', async (_label, clientId) => {
    const page = await getAuthorize(authorizeUrl(f, params(clientId)));
    expect(page.status).toBe(400);
    expect(page.location).toBeNull();
  });
});

describe('isPublicAddress', () => {
  it.each([
    '10.1.2.3',
    '172.16.5.4',
    '192.168.1.1',
    '127.0.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd12:3456::1',
    '::ffff:10.0.0.1',
    '::ffff:127.0.0.1',
    '64:ff9b::a00:1',
    '2002:a00:1::1',
    'localhost',
    'not-an-ip',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    'accepts %s',
    (address) => {
      expect(isPublicAddress(address)).toBe(true);
    },
  );
});

describe('parseClientMetadataDocument', () => {
  const url = 'https://app.example.com/oauth/client.json';
  it('keeps only acceptable redirect URIs and makes the client public', () => {
    const m = parseClientMetadataDocument(
      url,
      JSON.stringify({
        client_id: url,
        redirect_uris: ['https://app.example.com/cb', 'http://app.example.com/insecure'],
      }),
    );
    expect(m.redirect_uris).toEqual(['https://app.example.com/cb']);
    expect(m.token_endpoint_auth_method).toBe('none');
    expect(m.grant_types).toEqual(['authorization_code', 'refresh_token']);
  });
  it('refuses non-JSON and documents without redirect_uris', () => {
    expect(() => parseClientMetadataDocument(url, '<html>')).toThrow(/not JSON/);
    expect(() => parseClientMetadataDocument(url, JSON.stringify({ client_id: url }))).toThrow(
      /invalid/,
    );
  });
});
