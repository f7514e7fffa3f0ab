/**
 * The same end-to-end flow with a Client ID Metadata Document instead of registration (MCP
 * authorization 2025-11-25; draft-ietf-oauth-client-id-metadata-document): the client's id is the
 * URL of a JSON document this test serves over plain http on 127.0.0.1. Our server accepts such
 * ids only with OAUTH_CIMD_ALLOW_PRIVATE=1 (tests, local development), which the shared stack
 * does not set, so this runs against a second server process of its own (same database and fake
 * Airtable) whose PUBLIC_URL is its own address.
 *
 * The SDK client itself refuses a non-https `clientMetadataUrl`, so the provider hands the URL as
 * its known client information: exactly what the SDK stores after choosing a URL-based client id.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { auth, UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { TOOL_NAMES } from '../../cloud/mcp/tool-names';
import { harness } from '../harness/env';
import { fakeAdmin, uniqueUserId } from '../helpers/airtable';
import { reservePort, startChildStack, type ChildStack } from '../helpers/child-stack';
import { ok } from './mcp-http-helpers';
import { approveInBrowser, CLIENT_REDIRECT, MemoryOAuthProvider } from './oauth-e2e-helpers';

let instance: ChildStack;
let publicUrl: string;
let documentServer: http.Server;
let clientId: string;
let documentFetches = 0;
const clients: Client[] = [];

beforeAll(async () => {
  documentServer = http.createServer((req, res) => {
    if (req.url !== '/oauth/client.json') {
      res.writeHead(404).end();
      return;
    }
    documentFetches++;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        client_id: clientId,
        client_name: 'CIMD e2e client',
        redirect_uris: [CLIENT_REDIRECT],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      }),
    );
  });
  await new Promise<void>((resolve) => documentServer.listen(0, '127.0.0.1', () => resolve()));
  clientId = `http://127.0.0.1:${(documentServer.address() as AddressInfo).port}/oauth/client.json`;

  const reserved = await reservePort();
  publicUrl = `http://localhost:${reserved.port}`;
  // Airtable sends the person back to this instance's own /auth/callback (exact match).
  await fakeAdmin().registerRedirectUri(`${publicUrl}/auth/callback`);
  instance = await startChildStack({
    env: { PUBLIC_URL: publicUrl, OAUTH_CIMD_ALLOW_PRIVATE: '1' },
    port: reserved,
  });
}, 90_000);

afterAll(async () => {
  for (const c of clients) await c.close();
  await instance?.stop();
  await new Promise((resolve) => documentServer?.close(resolve));
});

it('a client identified by its metadata document URL connects, calls tools and refreshes', async () => {
  const user = await fakeAdmin().createUser({ id: uniqueUserId() });
  const provider = new MemoryOAuthProvider('ignored: the document names the client', {
    client_id: clientId,
  });
  const serverUrl = new URL(`${publicUrl}/mcp`);
  const t1 = new StreamableHTTPClientTransport(serverUrl, { authProvider: provider });
  await expect(
    new Client({ name: 'cimd-e2e', version: '1.0.0' }).connect(t1),
  ).rejects.toBeInstanceOf(UnauthorizedError);
  const authUrl = provider.lastAuthorizationUrl;
  expect(`${authUrl.origin}${authUrl.pathname}`).toBe(`${publicUrl}/authorize`);
  expect(authUrl.searchParams.get('client_id')).toBe(clientId);

  const { html, landing } = await approveInBrowser(authUrl, user.id);
  // The consent page names the client from its document and says where it is published.
  expect(html).toContain('CIMD e2e client');
  expect(html).toContain('metadata document');
  expect(documentFetches).toBeGreaterThan(0);
  expect(landing.searchParams.get('state')).toBe(provider.stateValue);
  expect(landing.searchParams.get('iss')).toBe(publicUrl);
  await t1.finishAuth(landing.searchParams.get('code')!);
  expect(provider.info?.client_id).toBe(clientId);
  const issued = provider.saved!;
  expect(issued.refresh_token).toBeTruthy();

  const client = new Client({ name: 'cimd-e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(serverUrl, { authProvider: provider }));
  clients.push(client);
  expect((await client.listTools()).tools.map((t) => t.name)).toEqual([...TOOL_NAMES]);
  const me = await ok<{ airtableUserId: string; connection: string }>(client, 'whoami');
  expect(me).toMatchObject({ airtableUserId: user.id, connection: 'oauth' });

  // The SDK's refresh with the URL client id (a public client: client_id in the body).
  expect(await auth(provider, { serverUrl })).toBe('AUTHORIZED');
  expect(provider.saved!.refresh_token).not.toBe(issued.refresh_token);
  expect(provider.saved!.access_token).not.toBe(issued.access_token);
  await ok(client, 'whoami');
});

it('the shared stack, without OAUTH_CIMD_ALLOW_PRIVATE, refuses the http client id', async () => {
  const url = new URL(`${harness().baseUrl}/authorize`);
  for (const [k, v] of Object.entries({
    client_id: clientId,
    redirect_uri: CLIENT_REDIRECT,
    response_type: 'code',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    state: 'state-0123456789abcdef',
  }))
    url.searchParams.set(k, v);
  const page = await fetch(url, { redirect: 'manual' });
  expect(page.status).toBe(400);
  expect(page.headers.get('location')).toBeNull();
});
