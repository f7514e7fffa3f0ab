/**
 * The token requests our Airtable OAuth client sends, byte for byte where Airtable is strict
 * (airtable.com/developers/web/api/oauth-reference; its reference client
 * github.com/Airtable/oauth-example): HTTP Basic of the RAW `client_id:client_secret` when the
 * integration has a secret and no client credentials in the body; `client_id` in the body and no
 * Authorization header when it has none. Ids with "-", "_" and "." must survive untouched.
 */
import { AirtableOAuthClient } from '../../cloud/airtable/oauth-client';

const CLIENT_ID = '8c1f0a52-3d1e-4bb0-9a7e-1f2e3d4c5b6a.app_client';
const CLIENT_SECRET = 'c2VjcmV0-value_with.dots-and_underscores';

function recordingFetch() {
  const calls: { url: string; headers: Headers; body: URLSearchParams }[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({
      url: String(input),
      headers: new Headers(init?.headers),
      body: new URLSearchParams(String(init?.body ?? '')),
    });
    return new Response(
      JSON.stringify({
        access_token: 'access-1',
        refresh_token: 'refresh-1',
        token_type: 'Bearer',
        expires_in: 3600,
        refresh_expires_in: 5_184_000,
        scope: 'data.records:read',
      }),
      { status: 200, headers: { 'Content-Type': 'application/json' } },
    );
  }) as typeof fetch;
  return { calls, fetchImpl };
}

function client(secret: string | undefined, fetchImpl: typeof fetch) {
  return new AirtableOAuthClient({
    clientId: CLIENT_ID,
    clientSecret: secret,
    redirectUri: 'https://mcp.example.com/auth/callback',
    scopes: 'data.records:read',
    oauthBaseUrl: 'https://airtable.example',
    apiBaseUrl: 'https://api.airtable.example',
    fetch: fetchImpl,
  });
}

describe('token requests as Airtable documents them', () => {
  it('with a secret: Basic base64 of the raw id:secret, no client credentials in the body', async () => {
    const { calls, fetchImpl } = recordingFetch();
    const c = client(CLIENT_SECRET, fetchImpl);
    await c.exchangeCode('code-1', AirtableOAuthClient.newCodeVerifier());
    await c.refresh('refresh-0');
    const expected = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;
    for (const call of calls) {
      expect(call.url).toBe('https://airtable.example/oauth2/v1/token');
      expect(call.headers.get('authorization')).toBe(expected);
      expect(call.body.has('client_id')).toBe(false);
      expect(call.body.has('client_secret')).toBe(false);
      expect(call.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/);
    }
    expect(calls[0]!.body.get('grant_type')).toBe('authorization_code');
    expect(calls[0]!.body.get('code_verifier')).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);
    expect(calls[1]!.body.get('grant_type')).toBe('refresh_token');
  });

  it('without a secret: client_id in the body and no Authorization header', async () => {
    const { calls, fetchImpl } = recordingFetch();
    await client(undefined, fetchImpl).exchangeCode(
      'code-1',
      AirtableOAuthClient.newCodeVerifier(),
    );
    expect(calls[0]!.headers.get('authorization')).toBeNull();
    expect(calls[0]!.body.get('client_id')).toBe(CLIENT_ID);
  });
});
