/**
 * The authorization server as deployed: the bundle's routes on the emulated Back4App global app,
 * Parse classes on the real database, chained to the (strict) fake Airtable's OAuth: register,
 * consent, Airtable sign-in, our code via /auth/callback, token exchange and refresh.
 * (Needs the lead's /auth/callback code exchange to work; see the report.)
 */
import { createHash, randomBytes } from 'node:crypto';
import { FakeAirtableAdminClient } from '../../fake-airtable/admin-client';
import { harness } from '../harness/env';

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

it('registers, consents, signs in to Airtable, and exchanges and refreshes tokens', async () => {
  await admin.registerRedirectUri(`${publicUrl}/auth/callback`);
  const user = await admin.createUser({ email: 'oauth-server@example.com' });

  const reg = await fetch(`${h.baseUrl}/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'none',
      client_name: 'Integration client',
    }),
  });
  expect(reg.status).toBe(201);
  const clientId = String(((await reg.json()) as Record<string, unknown>).client_id);

  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
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
  const page = await fetch(authorize, { redirect: 'manual' });
  expect(page.status).toBe(200);
  const consent = /name="consent" value="([^"]+)"/.exec(await page.text())![1]!;
  const browser = page.headers.get('set-cookie')!.split(';')[0]!;

  const decision = await form(
    '/authorize/decision',
    { consent, decision: 'approve' },
    { Cookie: browser, 'Sec-Fetch-Site': 'same-origin' },
  );
  expect(decision.res.status).toBe(303);
  const toAirtable = decision.res.headers.get('location')!;
  expect(toAirtable.startsWith(`${h.fakeAirtableUrl}/oauth2/v1/authorize?`)).toBe(true);
  // Airtable's own PKCE and client: nothing of the MCP client's request is forwarded.
  expect(new URL(toAirtable).searchParams.get('code_challenge')).not.toBe(challenge);

  const airtable = await admin.authorize({ url: toAirtable, userId: user.id });
  if (!airtable.ok) throw new Error(airtable.error_description);
  const callback = new URL(airtable.location);
  const back = await fetch(`${h.baseUrl}${callback.pathname}${callback.search}`, {
    redirect: 'manual',
  });
  if (back.status !== 302) throw new Error(`callback: ${back.status} ${await back.text()}`);
  const toClient = new URL(back.headers.get('location')!);
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
    const p = await fetch(authorize, { redirect: 'manual', headers: { Cookie: browser } });
    const c = /name="consent" value="([^"]+)"/.exec(await p.text())![1]!;
    const d = await form(
      '/authorize/decision',
      { consent: c, decision: 'approve' },
      { Cookie: browser, 'Sec-Fetch-Site': 'same-origin' },
    );
    const a = await admin.authorize({ url: d.res.headers.get('location')!, userId: user.id });
    if (!a.ok) throw new Error(a.error_description);
    const cb = new URL(a.location);
    const b = await fetch(`${h.baseUrl}${cb.pathname}${cb.search}`, { redirect: 'manual' });
    const k = new URL(b.headers.get('location')!).searchParams.get('code')!;
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
