/**
 * An MCP client that knows nothing but the URL, end to end against the running server (the
 * bundle): the SDK's Client + StreamableHTTPClientTransport with an OAuthClientProvider gets 401,
 * discovers our authorization server (RFC 9728, RFC 8414), registers itself (RFC 7591), sends
 * the person through our consent page and Airtable's (PKCE, RFC 7636; resource, RFC 8707), gets
 * tokens, lists and calls tools; refreshes by itself once the access token has expired; and after
 * revocation (RFC 7009) gets a clean 401 and starts a new authorization.
 */
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { hashSession } from '../../cloud/storage/codec';
import { TOOL_NAMES } from '../../cloud/mcp/tool-names';
import { harness, parseRest } from '../harness/env';
import { fakeAdmin, uniqueUserId } from '../helpers/airtable';
import {
  baseWithTasks,
  mcpHeaders,
  ok,
  rawRequest,
  TOOLS_LIST,
  type RawAnswer,
} from './mcp-http-helpers';
import { TestBrowser } from '../helpers/browser';
import { approveInBrowser, MemoryOAuthProvider } from './oauth-e2e-helpers';

const h = harness();
const publicUrl = process.env.PUBLIC_URL!;
const serverUrl = new URL(`${h.baseUrl}/mcp`);
const master = { 'X-Parse-Master-Key': h.masterKey };

const clients: Client[] = [];
afterAll(async () => {
  for (const c of clients) await c.close();
});

function transport(provider: MemoryOAuthProvider) {
  return new StreamableHTTPClientTransport(serverUrl, { authProvider: provider });
}

async function connected(provider: MemoryOAuthProvider): Promise<Client> {
  const client = new Client({ name: 'oauth-e2e', version: '1.0.0' });
  await client.connect(transport(provider));
  clients.push(client);
  return client;
}

function withToken(token: string): Promise<RawAnswer> {
  return rawRequest('POST', '/mcp', mcpHeaders({ Authorization: `Bearer ${token}` }), TOOLS_LIST);
}

/**
 * Makes an access token expire as an hour would: its UserSession row's expires_at moves to the
 * past. The server may have the session cached for SESSION_CACHE_TTL_MS (5 s), so wait for 401.
 */
async function expireAccessToken(token: string): Promise<void> {
  const where = encodeURIComponent(JSON.stringify({ session_id: hashSession(h.secretKey, token) }));
  const found = await parseRest('GET', `classes/UserSession?where=${where}`, master);
  const row = (found.json.results as { objectId: string }[] | undefined)?.[0];
  if (!row) throw new Error(`no UserSession row for the access token: ${JSON.stringify(found)}`);
  const past = { __type: 'Date', iso: new Date(Date.now() - 1000).toISOString() };
  const put = await parseRest('PUT', `classes/UserSession/${row.objectId}`, master, {
    expires_at: past,
  });
  if (put.status !== 200) throw new Error(`could not expire the row: ${JSON.stringify(put)}`);
  for (let i = 0; i < 80; i++) {
    if ((await withToken(token)).status === 401) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the expired access token was still accepted after 8 s');
}

it('connects from nothing, refreshes after expiry, and stops cleanly after revocation', async () => {
  const user = await fakeAdmin().createUser({ id: uniqueUserId() });
  const { baseId } = await baseWithTasks(user.id, 2, 'OAuth e2e base');
  const provider = new MemoryOAuthProvider('E2E SDK client');

  // 1. No token: 401 -> discovery -> dynamic registration -> "open this URL in a browser".
  const first = new Client({ name: 'oauth-e2e', version: '1.0.0' });
  const t1 = transport(provider);
  await expect(first.connect(t1)).rejects.toBeInstanceOf(UnauthorizedError);
  expect(provider.info?.client_id).toMatch(/\S{16,}/);
  const authUrl = provider.lastAuthorizationUrl;
  expect(`${authUrl.origin}${authUrl.pathname}`).toBe(`${publicUrl}/authorize`);
  expect(authUrl.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authUrl.searchParams.get('resource')).toBe(`${publicUrl}/mcp`);
  expect(authUrl.searchParams.get('client_id')).toBe(provider.info?.client_id);

  // 2. The person approves (our consent page, then Airtable's); the browser lands on the client.
  const { html, landing } = await approveInBrowser(authUrl, user.id);
  expect(html).toContain('E2E SDK client');
  expect(landing.toString().startsWith(provider.redirectUrl)).toBe(true);
  expect(landing.searchParams.get('state')).toBe(provider.stateValue);
  expect(landing.searchParams.get('iss')).toBe(publicUrl);
  await t1.finishAuth(landing.searchParams.get('code')!);
  const issued = provider.saved!;
  expect(issued).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
  expect(issued.refresh_token).toBeTruthy();

  // 3. Connected: tools/list and tool calls.
  const client = await connected(provider);
  expect((await client.listTools()).tools.map((t) => t.name)).toEqual([...TOOL_NAMES]);
  const me = await ok<{ airtableUserId: string; connection: string; platform: string }>(
    client,
    'whoami',
  );
  expect(me).toMatchObject({ airtableUserId: user.id, connection: 'oauth', platform: 'mcp-oauth' });
  const { bases } = await ok<{ bases: { id: string }[] }>(client, 'list_bases');
  expect(bases.map((b) => b.id)).toEqual([baseId]);

  // 4. The access token expires: the next call gets 401, the SDK refreshes and retries by itself.
  await expireAccessToken(issued.access_token);
  const again = await ok<{ records: unknown[] }>(client, 'list_records', {
    baseId,
    table: 'Tasks',
  });
  expect(again.records).toHaveLength(2);
  const refreshed = provider.saved!;
  expect(refreshed.access_token).not.toBe(issued.access_token);
  expect(refreshed.refresh_token).not.toBe(issued.refresh_token);
  expect((await withToken(issued.access_token)).status).toBe(401);
  expect((await withToken(refreshed.access_token)).status).toBe(200);

  // 5. Revocation of the refresh token ends the grant: a clean 401, then a fresh authorization.
  const revoke = await fetch(`${h.baseUrl}/revoke`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      token: refreshed.refresh_token!,
      client_id: provider.info!.client_id,
    }).toString(),
  });
  expect(revoke.status).toBe(200);
  const refused = await withToken(refreshed.access_token);
  expect(refused.status).toBe(401);
  expect(String(refused.headers['www-authenticate'])).toMatch(
    /^Bearer .*error="invalid_token".*resource_metadata="/,
  );
  expect(refused.json).toMatchObject({ jsonrpc: '2.0', error: { code: -32001 } });

  const urlsBefore = provider.authorizationUrls.length;
  await expect(client.callTool({ name: 'whoami', arguments: {} })).rejects.toBeInstanceOf(
    UnauthorizedError,
  );
  // The SDK's refresh got invalid_grant, so it dropped the tokens and asked the person again.
  expect(provider.saved).toBeUndefined();
  expect(provider.authorizationUrls.length).toBe(urlsBefore + 1);
});

// Development: the same server found as 127.0.0.1 (PUBLIC_URL says localhost). The SDK must see
// that name in every document (RFC 9728 section 3.3), the browser steps happen on PUBLIC_URL (the
// binding cookie and Airtable's redirect URI live there), and the tokens work at 127.0.0.1.
it('connects through the loopback alias 127.0.0.1 of a localhost PUBLIC_URL', async () => {
  const alias = `http://127.0.0.1:${new URL(h.baseUrl).port}`;
  const user = await fakeAdmin().createUser({ id: uniqueUserId() });
  const provider = new MemoryOAuthProvider('Alias client');
  const aliasTransport = () =>
    new StreamableHTTPClientTransport(new URL(`${alias}/mcp`), { authProvider: provider });
  const first = new Client({ name: 'oauth-e2e-alias', version: '1.0.0' });
  const t1 = aliasTransport();
  await expect(first.connect(t1)).rejects.toBeInstanceOf(UnauthorizedError);
  const authUrl = provider.lastAuthorizationUrl;
  expect(`${authUrl.origin}${authUrl.pathname}`).toBe(`${alias}/authorize`);
  expect(authUrl.searchParams.get('resource')).toBe(`${alias}/mcp`);
  const browser = new TestBrowser();
  const moved = await browser.fetch(authUrl.toString());
  expect(moved.status).toBe(302);
  expect(new URL(moved.location!).origin).toBe(new URL(publicUrl).origin);
  const { landing } = await approveInBrowser(new URL(moved.location!), user.id, browser);
  expect(landing.searchParams.get('iss')).toBe(alias);
  await t1.finishAuth(landing.searchParams.get('code')!);
  const client = new Client({ name: 'oauth-e2e-alias', version: '1.0.0' });
  await client.connect(aliasTransport());
  clients.push(client);
  const me = await ok<{ airtableUserId: string }>(client, 'whoami');
  expect(me.airtableUserId).toBe(user.id);
  // The token names the alias as its audience: the canonical name does not accept it.
  expect((await withToken(provider.saved!.access_token)).status).toBe(401);
});
