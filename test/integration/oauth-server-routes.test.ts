/**
 * The authorization server as deployed: the bundle's routes on the emulated Back4App global app,
 * Parse classes on the real database, chained to the (strict) fake Airtable's OAuth: register,
 * consent, Airtable sign-in, our code via /auth/callback, token exchange and refresh.
 */
import { createHash, randomBytes } from 'node:crypto';
import { FakeAirtableAdminClient } from '../../fake-airtable/admin-client';
import { harness } from '../harness/env';
import { TestBrowser } from '../helpers/browser';

const h = harness();
const admin = new FakeAirtableAdminClient(h.fakeAirtableUrl);
const publicUrl = process.env.PUBLIC_URL!;
const REDIRECT = 'http://127.0.0.1:9/callback'; // never contacted: we read the Location header

async function form(
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${h.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
  const text = await res.text();
  return {
    res,
    text,
    json: (text.startsWith('{') ? JSON.parse(text) : {}) as Record<string, unknown>,
  };
}

it('serves the discovery documents with our issuer', async () => {
  const res = await fetch(`${h.baseUrl}/.well-known/oauth-authorization-server`);
  expect(res.status).toBe(200);
  const m = (await res.json()) as Record<string, unknown>;
  expect(m.issuer).toBe(publicUrl);
  expect(m.client_id_metadata_document_supported).toBe(true);
  const prm = await fetch(`${h.baseUrl}/.well-known/oauth-protected-resource/mcp`);
  expect(((await prm.json()) as Record<string, unknown>).resource).toBe(`${publicUrl}/mcp`);
});

async function registerClient(name = 'Integration client'): Promise<string> {
  const reg = await fetch(`${h.baseUrl}/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': randomIp() },
    body: JSON.stringify({
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'none',
      client_name: name,
    }),
  });
  expect(reg.status).toBe(201);
  return String(((await reg.json()) as Record<string, unknown>).client_id);
}

function randomIp(): string {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
}

function authorizeUrl(clientId: string, challenge: string): string {
  const authorize = new URL(`${h.baseUrl}/authorize`);
  for (const [k, v] of Object.entries({
    client_id: clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'client-state',
    resource: `${publicUrl}/mcp`,
  }))
    authorize.searchParams.set(k, v);
  return authorize.toString();
}

/** Opens the consent page in `browser`, approves, and returns where it sends the browser. */
async function consentAndApprove(browser: TestBrowser, url: string): Promise<string> {
  const page = await browser.fetch(url);
  expect(page.status).toBe(200);
  const consent = /name="consent" value="([^"]+)"/.exec(page.text)![1]!;
  const decision = await browser.submit(`${h.baseUrl}/authorize/decision`, {
    consent,
    decision: 'approve',
  });
  expect(decision.status).toBe(303);
  return decision.location!;
}

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

it('registers, consents, signs in to Airtable, and exchanges and refreshes tokens', async () => {
  await admin.registerRedirectUri(`${publicUrl}/auth/callback`);
  const user = await admin.createUser({ email: 'oauth-server@example.com' });
  const clientId = await registerClient();
  const { verifier, challenge } = pkce();
  const browser = new TestBrowser();

  const toAirtable = await consentAndApprove(browser, authorizeUrl(clientId, challenge));
  expect(toAirtable.startsWith(`${h.fakeAirtableUrl}/oauth2/v1/authorize?`)).toBe(true);
  // Airtable's own PKCE and client: nothing of the MCP client's request is forwarded.
  expect(new URL(toAirtable).searchParams.get('code_challenge')).not.toBe(challenge);

  const airtable = await admin.authorize({ url: toAirtable, userId: user.id });
  if (!airtable.ok) throw new Error(airtable.error_description);
  const back = await browser.fetch(airtable.location);
  if (back.status !== 302) throw new Error(`callback: ${back.status} ${back.text}`);
  const toClient = new URL(back.location!);
  expect(`${toClient.origin}${toClient.pathname}`).toBe(REDIRECT);
  expect(toClient.searchParams.get('state')).toBe('client-state');
  expect(toClient.searchParams.get('iss')).toBe(publicUrl);
  const code = toClient.searchParams.get('code')!;

  const tokens = await form('/token', {
    grant_type: 'authorization_code',
    code,
    code_verifier: verifier,
    client_id: clientId,
    redirect_uri: REDIRECT,
    resource: `${publicUrl}/mcp`,
  });
  expect(tokens.res.status).toBe(200);
  expect(tokens.json.token_type).toBe('Bearer');
  const replay = await form('/token', {
    grant_type: 'authorization_code',
    code,
    code_verifier: verifier,
    client_id: clientId,
  });
  expect(replay.json.error).toBe('invalid_grant');

  const again = await authorizeAndExchange();
  const refreshed = await form('/token', {
    grant_type: 'refresh_token',
    refresh_token: String(again.refresh_token),
    client_id: clientId,
  });
  expect(refreshed.res.status).toBe(200);
  expect(refreshed.json.refresh_token).not.toBe(again.refresh_token);

  /** A second, independent authorization through Airtable for the same client. */
  async function authorizeAndExchange(): Promise<Record<string, unknown>> {
    const d = await consentAndApprove(browser, authorizeUrl(clientId, challenge));
    const a = await admin.authorize({ url: d, userId: user.id });
    if (!a.ok) throw new Error(a.error_description);
    const b = await browser.fetch(a.location);
    const k = new URL(b.location!).searchParams.get('code')!;
    const t = await form('/token', {
      grant_type: 'authorization_code',
      code: k,
      code_verifier: verifier,
      client_id: clientId,
    });
    expect(t.res.status).toBe(200);
    return t.json;
  }
});

// The attack of issue #1 (consent phishing through the chained authorization), end to end: the
// attacker registers a client, approves our consent page in their own browser, and sends the
// Airtable authorize URL it leads to to a victim. The victim approves on Airtable; their browser
// reaches our callback - and must get nothing the attacker could redeem.
it("an attacker's approved consent, finished by a victim on Airtable, yields no code", async () => {
  await admin.registerRedirectUri(`${publicUrl}/auth/callback`);
  const victim = await admin.createUser({ email: 'victim@example.com' });
  const clientId = await registerClient('Totally legit');
  const { challenge } = pkce();
  const attacker = new TestBrowser();
  const victimBrowser = new TestBrowser();

  const phishingLink = await consentAndApprove(attacker, authorizeUrl(clientId, challenge));
  const airtable = await admin.authorize({ url: phishingLink, userId: victim.id });
  if (!airtable.ok) throw new Error(airtable.error_description);
  const landed = await victimBrowser.fetch(airtable.location, { headers: { Accept: 'text/html' } });
  expect(landed.status).toBe(403);
  expect(landed.location).toBeNull(); // never sent on to the attacker's redirect URI
  expect(landed.text).toContain('started in a different browser');
  expect(landed.text).not.toContain('code=');
  // Nothing was exchanged with Airtable, nothing stored for the victim, no session cookie.
  expect((await admin.listGrants(victim.id)).grants).toHaveLength(0);
  expect(await victimBrowser.cookie(h.baseUrl, 'session_id')).toBeUndefined();
  const where = encodeURIComponent(JSON.stringify({ user_id: victim.id }));
  const rows = await fetch(`${h.baseUrl}/parse/classes/UserToken?where=${where}`, {
    headers: { 'X-Parse-Application-Id': h.appId, 'X-Parse-Master-Key': h.masterKey },
  });
  expect(((await rows.json()) as { results: unknown[] }).results).toHaveLength(0);
  // And the attacker's own browser cannot replay the (consumed) callback either.
  expect((await attacker.fetch(airtable.location)).status).toBe(400);
});
