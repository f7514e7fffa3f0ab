import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import {
  ConfigError,
  isFernetKey,
  isPlaceholderValue,
  loadConfig,
  logLevelFromEnv,
} from '../../cloud/config';

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

  // MCP 2025-11-25 authorization, "Communication Security": OAuth endpoints over HTTPS.
  it('in production, PUBLIC_URL must be https (or loopback)', () => {
    const prod = { ...good, NODE_ENV: 'production' };
    expect(() => loadConfig({ ...prod, PUBLIC_URL: 'http://mcp.example.com' })).toThrow(
      /PUBLIC_URL must start with https:\/\/ in production/,
    );
    expect(loadConfig({ ...prod, PUBLIC_URL: 'https://mcp.example.com' }).publicUrl).toBe(
      'https://mcp.example.com',
    );
    expect(loadConfig({ ...prod, PUBLIC_URL: 'http://127.0.0.1:8000' }).publicUrl).toBe(
      'http://127.0.0.1:8000',
    );
    expect(loadConfig({ ...good, PUBLIC_URL: 'http://mcp.example.com' }).publicUrl).toBe(
      'http://mcp.example.com',
    );
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

describe('loadConfig: every problem is one line naming the variable and the fix', () => {
  const problems = (env: NodeJS.ProcessEnv): string[] => {
    try {
      loadConfig(env);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message.split('\n');
    }
    throw new Error('expected a ConfigError');
  };

  it('refuses the .env.example placeholders like missing values', () => {
    const example = parseEnv(readFileSync(path.join(__dirname, '../../.env.example'), 'utf8'));
    const lines = problems(example);
    expect(lines).toEqual([
      expect.stringMatching(
        /^SECRET_KEY is required; generate one .*\.env\.example placeholder\)$/,
      ),
      expect.stringMatching(
        /^ENCRYPTION_KEY is required; generate one .*\.env\.example placeholder\)$/,
      ),
    ]);
    // The optional ones count as unset: the example's AIRTABLE_CLIENT_ID is no client id.
    const c = loadConfig({ ...example, ...good });
    expect(c.airtable.clientId).toBeUndefined();
    expect(c.airtable.clientSecret).toBeUndefined();
    expect(c.parse.masterKey).toBeUndefined();
    expect(isPlaceholderValue('replace_with_32_or_more_random_characters')).toBe(true);
    expect(isPlaceholderValue('<your key>')).toBe(true);
    expect(isPlaceholderValue(good.SECRET_KEY)).toBe(false);
  });

  it.each([
    ['mysql://root:hunter2@localhost:3306/parse', /uses mysql:\/\/, which parse-server cannot use/],
    ['not a uri', /is not a URL/],
    ['postgres://user:hunter2@localhost:notaport/parse', /is not a valid URL/],
    ['postgres:///parse?password=hunter2', /names no host/],
  ])('refuses DATABASE_URI=%s on one line, without the password', (uri, why) => {
    const lines = problems({ ...good, DATABASE_URI: uri });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^DATABASE_URI /);
    expect(lines[0]).toMatch(why);
    expect(lines[0]).toContain('remove it to use the embedded PostgreSQL');
    expect(lines[0]).not.toContain('hunter2');
  });

  it('accepts PostgreSQL and MongoDB URIs (a replica set list included)', () => {
    for (const uri of [
      'postgres://u:p@db.example:5432/parse',
      'postgresql://u:p@localhost/parse?ssl=true',
      'mongodb://h1:27017,h2:27017/parse?replicaSet=rs0',
      'mongodb+srv://u:p@cluster0.example.net/parse',
    ])
      expect(loadConfig({ ...good, DATABASE_URI: uri }).databaseUri).toBe(uri);
  });

  it('EMBEDDED_PG_PORT: unset or empty means any free port; otherwise a port number', () => {
    expect(loadConfig(good).embeddedPgPort).toBeUndefined();
    expect(loadConfig({ ...good, EMBEDDED_PG_PORT: '' }).embeddedPgPort).toBeUndefined();
    expect(loadConfig({ ...good, EMBEDDED_PG_PORT: '5433' }).embeddedPgPort).toBe(5433);
    expect(problems({ ...good, EMBEDDED_PG_PORT: '0' })).toEqual([
      'EMBEDDED_PG_PORT must be a port number (1-65535), or unset for any free port',
    ]);
    expect(loadConfig({ ...good, PORT: '0' }).port).toBe(0);
    expect(problems({ ...good, PORT: 'eighty' })).toEqual(['PORT must be a port number (0-65535)']);
  });

  it('several bad variables: one line each', () => {
    expect(problems({ PORT: '70000' })).toHaveLength(3); // PORT, SECRET_KEY, ENCRYPTION_KEY
  });
});

describe('settings read elsewhere before, now through the validated configuration', () => {
  it('MCP_ALLOWED_HOSTS / MCP_ALLOWED_ORIGINS: comma lists, lower-cased; a malformed entry is named', () => {
    const c = loadConfig({
      ...good,
      MCP_ALLOWED_HOSTS: ' Example.com , localhost:3000,[::1]:8080,',
      MCP_ALLOWED_ORIGINS: 'https://Inspector.example.com,http://localhost:6274',
    });
    expect(c.mcpAllowedHosts).toEqual(['example.com', 'localhost:3000', '[::1]:8080']);
    expect(c.mcpAllowedOrigins).toEqual(['https://inspector.example.com', 'http://localhost:6274']);
    expect(loadConfig(good).mcpAllowedHosts).toEqual([]);
    expect(() => loadConfig({ ...good, MCP_ALLOWED_HOSTS: 'https://example.com' })).toThrow(
      /^MCP_ALLOWED_HOSTS must be comma-separated host names/,
    );
    expect(() => loadConfig({ ...good, MCP_ALLOWED_ORIGINS: 'https://example.com/app' })).toThrow(
      /^MCP_ALLOWED_ORIGINS must be comma-separated origins/,
    );
  });

  it('OAUTH_CIMD_ALLOW_PRIVATE: a flag, refused in production', () => {
    expect(loadConfig(good).oauthCimdAllowPrivate).toBe(false);
    expect(loadConfig({ ...good, OAUTH_CIMD_ALLOW_PRIVATE: '1' }).oauthCimdAllowPrivate).toBe(true);
    expect(() => loadConfig({ ...good, OAUTH_CIMD_ALLOW_PRIVATE: 'yes' })).toThrow(
      /^OAUTH_CIMD_ALLOW_PRIVATE /,
    );
    expect(() =>
      loadConfig({ ...good, OAUTH_CIMD_ALLOW_PRIVATE: '1', NODE_ENV: 'production' }),
    ).toThrow(/OAUTH_CIMD_ALLOW_PRIVATE must not be set in production/);
  });

  it('BENCH_BYPASS_AUTH_USER: <user>[:<credential>], ignored in production', () => {
    expect(loadConfig({ ...good, BENCH_BYPASS_AUTH_USER: 'usr1:cred1' }).benchBypassAuthUser).toBe(
      'usr1:cred1',
    );
    expect(
      loadConfig({ ...good, BENCH_BYPASS_AUTH_USER: 'usr1', NODE_ENV: 'production' })
        .benchBypassAuthUser,
    ).toBeUndefined();
    expect(() => loadConfig({ ...good, BENCH_BYPASS_AUTH_USER: 'a:b:c' })).toThrow(
      /^BENCH_BYPASS_AUTH_USER must be <user id>/,
    );
  });

  it('LOG_LEVEL: the logger takes it before the configuration loads; a bad one still stops start-up', () => {
    expect(logLevelFromEnv({ LOG_LEVEL: 'debug' })).toBe('debug');
    expect(logLevelFromEnv({})).toBe('info');
    expect(logLevelFromEnv({ LOG_LEVEL: 'loud' })).toBe('info');
    expect(() => loadConfig({ ...good, LOG_LEVEL: 'loud' })).toThrow(/^LOG_LEVEL /);
  });
});
