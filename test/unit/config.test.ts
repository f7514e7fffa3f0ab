import { ConfigError, isFernetKey, loadConfig } from '../../cloud/config';

const good = {
  SECRET_KEY: 'x'.repeat(40),
  ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64url'),
};

describe('loadConfig', () => {
  it('accepts the minimum and fills defaults', () => {
    const c = loadConfig(good);
    expect(c.port).toBe(8000);
    expect(c.publicUrl).toBe('http://localhost:8000');
    expect(c.airtable.redirectUri).toBe('http://localhost:8000/auth/callback');
    expect(c.airtable.oauthBaseUrl).toBe('https://airtable.com');
    expect(c.airtable.apiBaseUrl).toBe('https://api.airtable.com');
    expect(c.airtable.contentBaseUrl).toBe('https://content.airtable.com');
    expect(c.attachmentFetchAllowPrivate).toBe(false);
    expect(c.storageBackend).toBe('back4app');
    expect(c.encryptionKeys).toHaveLength(1);
    expect(c.mcp.maxResultChars).toBe(100_000);
    expect(loadConfig({ ...good, MCP_MAX_RESULT_CHARS: '40000' }).mcp.maxResultChars).toBe(40_000);
  });

  it('names a missing SECRET_KEY and how to make one', () => {
    expect(() => loadConfig({ ENCRYPTION_KEY: good.ENCRYPTION_KEY })).toThrow(ConfigError);
    expect(() => loadConfig({ ENCRYPTION_KEY: good.ENCRYPTION_KEY })).toThrow(
      /SECRET_KEY.*randomBytes/s,
    );
  });

  it('names a malformed ENCRYPTION_KEY without echoing it', () => {
    try {
      loadConfig({ ...good, ENCRYPTION_KEY: 'not-a-fernet-key-secret-value' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/ENCRYPTION_KEY/);
      expect((err as Error).message).toMatch(/Fernet/);
      expect((err as Error).message).not.toContain('not-a-fernet-key-secret-value');
    }
  });

  it('accepts several comma-separated keys for rotation', () => {
    const k2 = Buffer.alloc(32, 9).toString('base64url');
    expect(
      loadConfig({ ...good, ENCRYPTION_KEY: `${good.ENCRYPTION_KEY}, ${k2}` }).encryptionKeys,
    ).toEqual([good.ENCRYPTION_KEY, k2]);
  });

  it('refuses a bad URL, port and backend', () => {
    expect(() => loadConfig({ ...good, PUBLIC_URL: 'ftp://x' })).toThrow(/PUBLIC_URL/);
    expect(() => loadConfig({ ...good, PORT: '70000' })).toThrow(/PORT/);
    expect(() => loadConfig({ ...good, STORAGE_BACKEND: 'sqlite' })).toThrow(/STORAGE_BACKEND/);
    expect(() => loadConfig({ ...good, STORAGE_BACKEND: 'redis' })).toThrow(/REDIS_URL/);
    expect(() => loadConfig({ ...good, MCP_MAX_RESULT_CHARS: '500' })).toThrow(
      /MCP_MAX_RESULT_CHARS/,
    );
  });

  it('takes the content base URL like the API base URL, and refuses a bad one', () => {
    const c = loadConfig({ ...good, AIRTABLE_CONTENT_BASE_URL: 'http://127.0.0.1:9/content/' });
    expect(c.airtable.contentBaseUrl).toBe('http://127.0.0.1:9/content');
    expect(() =>
      loadConfig({ ...good, AIRTABLE_CONTENT_BASE_URL: 'content.airtable.com' }),
    ).toThrow(/AIRTABLE_CONTENT_BASE_URL/);
  });

  it('allows private attachment fetches only outside production', () => {
    expect(
      loadConfig({ ...good, ATTACHMENT_FETCH_ALLOW_PRIVATE: '1' }).attachmentFetchAllowPrivate,
    ).toBe(true);
    expect(() => loadConfig({ ...good, ATTACHMENT_FETCH_ALLOW_PRIVATE: 'yes' })).toThrow(
      /ATTACHMENT_FETCH_ALLOW_PRIVATE/,
    );
    expect(() =>
      loadConfig({ ...good, NODE_ENV: 'production', ATTACHMENT_FETCH_ALLOW_PRIVATE: '1' }),
    ).toThrow(/must not be set in production/);
  });

  it('defaults the rate limits safely: no proxy trusted, generous /token and /mcp limits', () => {
    expect(loadConfig(good).rateLimits).toEqual({
      trustProxyHops: 0,
      multiplier: 1,
      tokenPerIp: 300,
      tokenPerClient: 300,
      mcpPerSession: 600,
    });
    const c = loadConfig({
      ...good,
      TRUST_PROXY_HOPS: '1',
      RATE_LIMIT_MULTIPLIER: '2.5',
      RATE_LIMIT_TOKEN_PER_IP: '10',
      RATE_LIMIT_TOKEN_PER_CLIENT: '5',
      RATE_LIMIT_MCP_PER_SESSION: '100',
    });
    expect(c.rateLimits).toEqual({
      trustProxyHops: 1,
      multiplier: 2.5,
      tokenPerIp: 10,
      tokenPerClient: 5,
      mcpPerSession: 100,
    });
  });

  it.each([
    ['TRUST_PROXY_HOPS', '-1'],
    ['TRUST_PROXY_HOPS', '1.5'],
    ['TRUST_PROXY_HOPS', 'one'],
    ['TRUST_PROXY_HOPS', '11'],
    ['RATE_LIMIT_MULTIPLIER', '0'],
    ['RATE_LIMIT_TOKEN_PER_IP', '0'],
    ['RATE_LIMIT_TOKEN_PER_CLIENT', 'lots'],
    ['RATE_LIMIT_MCP_PER_SESSION', '-5'],
  ])('names a bad %s (%s)', (name, value) => {
    expect(() => loadConfig({ ...good, [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...good, [name]: value })).toThrow(new RegExp(name));
  });

  it('recognises Fernet keys', () => {
    expect(isFernetKey(good.ENCRYPTION_KEY)).toBe(true);
    expect(isFernetKey(`${good.ENCRYPTION_KEY}=`)).toBe(true);
    expect(isFernetKey('abc')).toBe(false);
  });
});
