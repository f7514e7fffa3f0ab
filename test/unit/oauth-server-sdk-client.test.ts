/**
 * The MCP SDK's own OAuth client (client/auth.js) against our authorization server: discovery
 * (RFC 9728 + RFC 8414), Dynamic Client Registration, PKCE authorization through our consent page,
 * code exchange and refresh - the path Claude, ChatGPT and MCP Inspector take.
 */
import { auth, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { decide, REDIRECT, signIn, startFixture, type Fixture } from './oauth-server-fixture';

class MemoryProvider implements OAuthClientProvider {
  info: OAuthClientInformationMixed | undefined;
  saved: OAuthTokens | undefined;
  verifier = '';
  authorizationUrl: URL | undefined;
  get redirectUrl(): string {
    return REDIRECT;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      client_name: 'SDK test client',
    };
  }
  state(): string {
    return 'sdk-state-0123456789';
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.info = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(v: string) {
    this.verifier = v;
  }
  codeVerifier() {
    return this.verifier;
  }
}

let f: Fixture;
beforeAll(async () => {
  f = await startFixture({ selfUrl: true });
});
afterAll(() => f.close());

it('registers, authorizes with PKCE, exchanges the code and refreshes', async () => {
  const provider = new MemoryProvider();
  const serverUrl = `${f.url}/mcp`;
  expect(await auth(provider, { serverUrl })).toBe('REDIRECT');
  expect(provider.info?.client_id).toBeTruthy();
  const authUrl = provider.authorizationUrl!;
  expect(authUrl.origin + authUrl.pathname).toBe(`${f.url}/authorize`);
  expect(authUrl.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authUrl.searchParams.get('resource')).toBe(serverUrl);

  // The person approves on our consent page, already signed in.
  const session = await signIn(f);
  const page = await fetch(authUrl, { headers: { Cookie: session }, redirect: 'manual' });
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('SDK test client');
  const consent = /name="consent" value="([^"]+)"/.exec(html)![1]!;
  const browser = page.headers.get('set-cookie')!.split(';')[0]!;
  const answer = await decide(f, consent, `${session}; ${browser}`, 'approve');
  const back = new URL(answer.res.headers.get('location')!);
  expect(back.searchParams.get('state')).toBe('sdk-state-0123456789');
  expect(back.searchParams.get('iss')).toBe(f.url);

  expect(
    await auth(provider, { serverUrl, authorizationCode: back.searchParams.get('code')! }),
  ).toBe('AUTHORIZED');
  const first = provider.saved!;
  expect(first.token_type).toBe('Bearer');
  expect(first.refresh_token).toBeTruthy();
  const session1 = await f.storage.findSession(first.access_token);
  expect(session1?.data).toMatchObject({ kind: 'mcp_access', resource: serverUrl });

  // With a refresh token stored, auth() refreshes (rotation: a new refresh token).
  expect(await auth(provider, { serverUrl })).toBe('AUTHORIZED');
  expect(provider.saved!.refresh_token).not.toBe(first.refresh_token);
  expect(provider.saved!.access_token).not.toBe(first.access_token);
});
