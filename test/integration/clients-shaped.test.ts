/**
 * Clients we cannot run here, reproduced as they talk to an authorization server, against the
 * bundle: Cursor (its dynamic registration body with its three redirect URIs at once - a
 * private-use scheme (RFC 8252 section 7.1), an HTTPS page and a loopback URI whose port it may
 * change at run time (section 7.3)) and ChatGPT (its registration with
 * https://chatgpt.com/connector_platform_oauth_redirect, `resource` on every request, a
 * reconnect whose /authorize has no `scope`, its state format). Each goes through discovery,
 * registration, /authorize with PKCE, our consent page and Airtable's, /token, and then /mcp.
 * Sources: platform-facts.md "Clients as they really behave"; ChatGPT's reconnect request as
 * reported on community.openai.com (t/oauth-missing-scopes-after-reconnect/1366784).
 */
import { createHash, randomBytes } from 'node:crypto';
import { TOOL_NAMES } from '../../cloud/mcp/tool-names';
import { harness } from '../harness/env';
import { fakeAdmin, uniqueUserId } from '../helpers/airtable';
import { TestBrowser } from '../helpers/browser';
import { mcpPost } from '../helpers/mcp';
import { approveInBrowser } from './oauth-e2e-helpers';

const h = harness();
const resource = `${h.baseUrl}/mcp`;

type Json = Record<string, unknown>;

async function postForm(path: string, fields: Record<string, string>) {
  const res = await fetch(`${h.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

async function discover(): Promise<{ registration: string; authorization: string }> {
  const prm = (await (
    await fetch(`${h.baseUrl}/.well-known/oauth-protected-resource/mcp`)
  ).json()) as Json;
  expect(prm.resource).toBe(resource);
  const issuer = (prm.authorization_servers as string[])[0]!;
  const as = (await (
    await fetch(`${issuer}/.well-known/oauth-authorization-server`)
  ).json()) as Json;
  expect(as.code_challenge_methods_supported).toEqual(['S256']);
  return {
    registration: String(as.registration_endpoint),
    authorization: String(as.authorization_endpoint),
  };
}

async function register(body: Json): Promise<{ status: number; json: Json }> {
  const { registration } = await discover();
  const res = await fetch(registration, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** /authorize -> consent -> Airtable -> back to `redirectUri`; returns the code. */
async function authorize(
  params: Record<string, string>,
  airtableUserId: string,
  browser = new TestBrowser(),
): Promise<{ code: string; landing: URL; html: string }> {
  const { authorization } = await discover();
  const url = new URL(authorization);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const { html, landing } = await approveInBrowser(url, airtableUserId, browser);
  expect(landing.toString().startsWith(`${params.redirect_uri}?`)).toBe(true);
  expect(landing.searchParams.get('state')).toBe(params.state);
  expect(landing.searchParams.get('iss')).toBe(h.baseUrl);
  return { code: landing.searchParams.get('code')!, landing, html };
}

async function toolsWith(token: string): Promise<string[]> {
  const answer = await mcpPost(token, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
  expect(answer.status).toBe(200);
  return ((answer.body?.result as { tools: { name: string }[] }).tools ?? []).map((t) => t.name);
}

describe('a Cursor-shaped client', () => {
  const CURSOR_REDIRECTS = [
    'cursor://anysphere.cursor-mcp/oauth/callback',
    'https://www.cursor.com/agents/mcp/oauth/callback',
    'http://localhost:8787/callback',
  ];

  it('registers its three redirect URIs at once and completes the flow with each', async () => {
    const user = await fakeAdmin().createUser({ id: uniqueUserId() });
    const { status, json } = await register({
      client_name: 'Cursor',
      redirect_uris: CURSOR_REDIRECTS,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    });
    expect(status).toBe(201);
    expect(json.redirect_uris).toEqual(CURSOR_REDIRECTS);
    const clientId = String(json.client_id);
    // The loopback URI once more on another port: the app picks its port at run time.
    for (const redirect of [...CURSOR_REDIRECTS, 'http://localhost:51234/callback']) {
      const { verifier, challenge } = pkce();
      const { code, html } = await authorize(
        {
          response_type: 'code',
          client_id: clientId,
          redirect_uri: redirect,
          code_challenge: challenge,
          code_challenge_method: 'S256',
          state: randomBytes(16).toString('hex'),
          resource,
        },
        user.id,
      );
      expect(html).toContain('Cursor');
      if (redirect.startsWith('cursor:'))
        expect(html).toContain('An application on your computer that handles');
      const tokens = await postForm('/token', {
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        client_id: clientId,
        redirect_uri: redirect,
        resource,
      });
      expect(tokens.status).toBe(200);
      expect(await toolsWith(String(tokens.json.access_token))).toEqual([...TOOL_NAMES]);
    }
  }, 180_000);
});

describe('a ChatGPT-shaped client', () => {
  const REDIRECT = 'https://chatgpt.com/connector_platform_oauth_redirect';

  it('connects, reconnects without scope (with resource) and refreshes', async () => {
    const user = await fakeAdmin().createUser({ id: uniqueUserId() });
    const { status, json } = await register({
      client_name: 'ChatGPT',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    });
    expect(status).toBe(201);
    const client = { client_id: String(json.client_id), client_secret: String(json.client_secret) };
    expect(client.client_secret.length).toBeGreaterThan(20);
    const browser = new TestBrowser();

    // First connection: every scope the server lists, as ChatGPT sends them.
    const first = pkce();
    const connected = await authorize(
      {
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: REDIRECT,
        state: `oauth_s_${randomBytes(16).toString('hex')}`,
        scope: 'airtable:read airtable:write',
        code_challenge: first.challenge,
        code_challenge_method: 'S256',
        resource,
      },
      user.id,
      browser,
    );
    const t1 = await postForm('/token', {
      grant_type: 'authorization_code',
      code: connected.code,
      code_verifier: first.verifier,
      redirect_uri: REDIRECT,
      resource,
      ...client,
    });
    expect(t1.status).toBe(200);
    expect(t1.json.scope).toBe('airtable:read airtable:write');
    expect(await toolsWith(String(t1.json.access_token))).toEqual([...TOOL_NAMES]);

    // Disconnect and connect again: /authorize without `scope`, still with `resource`.
    const again = pkce();
    const reconnected = await authorize(
      {
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: REDIRECT,
        state: `oauth_s_${randomBytes(16).toString('hex')}`,
        code_challenge: again.challenge,
        code_challenge_method: 'S256',
        resource,
      },
      user.id,
      browser,
    );
    const t2 = await postForm('/token', {
      grant_type: 'authorization_code',
      code: reconnected.code,
      code_verifier: again.verifier,
      redirect_uri: REDIRECT,
      resource,
      ...client,
    });
    expect(t2.status).toBe(200);
    expect(String(t2.json.scope).split(' ')).toContain('airtable:read');
    expect(await toolsWith(String(t2.json.access_token))).toEqual([...TOOL_NAMES]);

    // Refresh with the client's secret in the body and `resource` again.
    const t3 = await postForm('/token', {
      grant_type: 'refresh_token',
      refresh_token: String(t2.json.refresh_token),
      resource,
      ...client,
    });
    expect(t3.status).toBe(200);
    expect(t3.json.refresh_token).not.toBe(t2.json.refresh_token);
    expect(await toolsWith(String(t3.json.access_token))).toEqual([...TOOL_NAMES]);

    // Its secret is required: the same refresh without it is invalid_client.
    const noSecret = await postForm('/token', {
      grant_type: 'refresh_token',
      refresh_token: String(t3.json.refresh_token),
      client_id: client.client_id,
    });
    expect(noSecret.status).toBe(401);
    expect(noSecret.json.error).toBe('invalid_client');
  }, 180_000);
});
