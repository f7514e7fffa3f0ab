/** RFC 9728 / RFC 8414 discovery documents, the 401 challenge, and CORS (MCP Inspector). */
import {
  OAuthMetadataSchema,
  OAuthProtectedResourceMetadataSchema,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { resourceMetadataUrl, wwwAuthenticate } from '../../cloud/oauth-server/protocol/metadata';
import { PUBLIC_URL, RESOURCE, startFixture, type Fixture } from './oauth-server-fixture';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.close());

describe('RFC 9728 protected resource metadata', () => {
  it.each(['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp'])(
    'is served at %s',
    async (path) => {
      const res = await fetch(`${f.url}${path}`);
      expect(res.status).toBe(200);
      const body = OAuthProtectedResourceMetadataSchema.parse(await res.json());
      expect(body.resource).toBe(RESOURCE);
      expect(body.authorization_servers).toEqual([PUBLIC_URL]);
      expect(body.scopes_supported).toEqual(['airtable:read', 'airtable:write']);
      expect(body.bearer_methods_supported).toEqual(['header']);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
    },
  );
});

describe('RFC 8414 authorization server metadata', () => {
  it('lists our endpoints and capabilities', async () => {
    const res = await fetch(`${f.url}/.well-known/oauth-authorization-server`);
    expect(res.status).toBe(200);
    const m = OAuthMetadataSchema.parse(await res.json());
    expect(m).toMatchObject({
      issuer: PUBLIC_URL,
      authorization_endpoint: `${PUBLIC_URL}/authorize`,
      token_endpoint: `${PUBLIC_URL}/token`,
      registration_endpoint: `${PUBLIC_URL}/register`,
      revocation_endpoint: `${PUBLIC_URL}/revoke`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
      client_id_metadata_document_supported: true,
      scopes_supported: ['airtable:read', 'airtable:write'],
      authorization_response_iss_parameter_supported: true,
    });
  });
});

describe('CORS', () => {
  it.each([
    ['/.well-known/oauth-authorization-server', 'GET'],
    ['/.well-known/oauth-protected-resource/mcp', 'GET'],
    ['/register', 'POST'],
    ['/token', 'POST'],
    ['/revoke', 'POST'],
  ])('answers the preflight of %s', async (path, method) => {
    const res = await fetch(`${f.url}${path}`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://localhost:6274',
        'Access-Control-Request-Method': method,
        'Access-Control-Request-Headers': 'content-type, authorization',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toContain(method);
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
      'authorization',
    );
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('is absent from /authorize', async () => {
    const res = await fetch(`${f.url}/authorize?client_id=x`, {
      headers: { Origin: 'https://evil.example' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await fetch(`${f.url}/authorize`, { method: 'OPTIONS' });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('is present on error answers of the token endpoint', async () => {
    const res = await fetch(`${f.url}/token`, { method: 'POST' });
    expect(res.status).toBe(400);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('WWW-Authenticate challenge (RFC 6750 section 3, RFC 9728 section 5.1)', () => {
  const config = { publicUrl: 'https://x.example' };
  it('always names the resource metadata', () => {
    expect(resourceMetadataUrl(config)).toBe(
      'https://x.example/.well-known/oauth-protected-resource/mcp',
    );
    expect(wwwAuthenticate(config)).toBe(
      'Bearer resource_metadata="https://x.example/.well-known/oauth-protected-resource/mcp"',
    );
  });
  it('orders and quote-escapes every parameter', () => {
    expect(
      wwwAuthenticate(config, {
        error: 'invalid_token',
        errorDescription: 'bad "token" \\ here\r\nX-Injected: 1',
        scope: 'airtable:read airtable:write',
      }),
    ).toBe(
      'Bearer error="invalid_token", error_description="bad \\"token\\" \\\\ here  X-Injected: 1", ' +
        'resource_metadata="https://x.example/.well-known/oauth-protected-resource/mcp", ' +
        'scope="airtable:read airtable:write"',
    );
  });
});
