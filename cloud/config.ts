/**
 * Validated settings, read once from the environment (Back4App: Server Settings -> Environment
 * Variables; locally: `.env` or the development secrets that `npm start` generates).
 *
 * The seed's variable names are kept (AIRTABLE_CLIENT_ID, ..., SECRET_KEY, ENCRYPTION_KEY); every
 * problem is reported on one line with the variable's name and how to fix it, never with its value.
 * The placeholders of `.env.example` (`your_...`, `replace_with_...`) count as unset, so a copied
 * example file can never pass for configured secrets.
 */
import { z } from 'zod';
import { isLoopbackHost } from './http/loopback';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const FERNET_KEY_HINT =
  "generate one with: node -e \"console.log(require('crypto').randomBytes(32).toString('base64url'))\" " +
  '(or python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())")';
const SECRET_KEY_HINT =
  "generate one with: node -e \"console.log(require('crypto').randomBytes(32).toString('base64url'))\"";

/** A value copied from .env.example unchanged: `your_parse_master_key`, `replace_with_...`, `<key>`. */
export function isPlaceholderValue(value: string): boolean {
  const v = value.trim();
  return /^(replace|your)[_-]/i.test(v) || /^<[^<>]*>$/.test(v);
}

/** The database kinds parse-server can use (platform-facts.md: PostgreSQL and MongoDB). */
const DATABASE_URI_HINT =
  'must be postgres://user:password@host:5432/database or mongodb://host:27017/database (parse-server supports PostgreSQL and MongoDB); remove it to use the embedded PostgreSQL';

/** Checks the shape only (scheme, URL syntax); whether the database answers is checked at start. */
export function databaseUriProblem(uri: string): string | undefined {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(uri)?.[1]?.toLowerCase();
  if (!scheme) return `is not a URL; it ${DATABASE_URI_HINT}`;
  if (scheme === 'mongodb' || scheme === 'mongodb+srv') return undefined; // the driver parses host lists
  if (scheme !== 'postgres' && scheme !== 'postgresql')
    return `uses ${scheme}://, which parse-server cannot use; it ${DATABASE_URI_HINT}`;
  try {
    const url = new URL(uri);
    if (!url.hostname && !url.searchParams.get('host'))
      return `names no host; it ${DATABASE_URI_HINT}`;
  } catch {
    return `is not a valid URL (check the characters of the password: percent-encode @ : / ? #); it ${DATABASE_URI_HINT}`;
  }
  return undefined;
}

/** Comma-separated, trimmed, lower-cased, empty entries dropped. */
function commaList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
}

/** `host`, `host:port`, `[v6]` or `[v6]:port`, as a Host header carries it. */
const HOST_PATTERN =
  /^([a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(:\d{1,5})?$/;

/** An origin as browsers send it: scheme://host[:port], nothing after. */
function isOrigin(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol) && new URL(value).origin === value;
  } catch {
    return false;
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
const LogLevelSchema = z.enum(LOG_LEVELS).default('info');

/**
 * LOG_LEVEL for the logger, which cloud/log.ts creates when it is first imported - before the
 * configuration is loaded, and while loading it (its errors are logged). So the level is read on
 * its own here; a bad value gives 'info' for now, and loadConfig() then stops start-up with the
 * usual one-line error naming LOG_LEVEL.
 */
export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env): LogLevel {
  const parsed = LogLevelSchema.safeParse(env.LOG_LEVEL);
  return parsed.success ? parsed.data : 'info';
}

/** A Fernet key is 32 bytes in URL-safe base64 (github.com/fernet/spec, "Key Format"). */
export function isFernetKey(value: string): boolean {
  if (!/^[A-Za-z0-9_-]{43}=?$/.test(value)) return false;
  return Buffer.from(value, 'base64url').length === 32;
}

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must start with http:// or https://')
  .transform((u) => u.replace(/\/+$/, ''));

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const EnvSchema = z.object({
  NODE_ENV: z.string().optional(),
  // 0: any free port, chosen when the local stack binds it (tests).
  PORT: z.coerce
    .number({ error: 'must be a port number (0-65535)' })
    .int('must be a port number (0-65535)')
    .min(0, 'must be a port number (0-65535)')
    .max(65535, 'must be a port number (0-65535)')
    .default(8000),
  PUBLIC_URL: optionalText.pipe(httpUrl.optional()),
  AIRTABLE_CLIENT_ID: optionalText,
  AIRTABLE_CLIENT_SECRET: optionalText,
  AIRTABLE_REDIRECT_URI: optionalText.pipe(httpUrl.optional()),
  AIRTABLE_SCOPES: z
    .string()
    .default('data.records:read data.records:write schema.bases:read')
    .refine((s) => /^[a-zA-Z.:]+( [a-zA-Z.:]+)*$/.test(s.trim()), 'must be space-separated scopes'),
  AIRTABLE_OAUTH_BASE_URL: httpUrl.default('https://airtable.com'),
  AIRTABLE_API_BASE_URL: httpUrl.default('https://api.airtable.com'),
  // upload-attachment lives on its own host (airtable.com/developers/web/api/upload-attachment).
  AIRTABLE_CONTENT_BASE_URL: httpUrl.default('https://content.airtable.com'),
  // Tests and local development only: upload_attachment may fetch http and private addresses.
  ATTACHMENT_FETCH_ALLOW_PRIVATE: z
    .enum(['0', '1', 'true', 'false'])
    .optional()
    .transform((v) => v === '1' || v === 'true'),
  // Bounds on how long one tool call can wait for Airtable (tests and slow proxies lower them).
  AIRTABLE_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(30_000),
  AIRTABLE_RATE_LIMIT_BUDGET_MS: z.coerce.number().int().min(0).max(600_000).default(35_000),
  // Largest tool result in characters of JSON (cloud/mcp/result-size.ts); longer ones continue.
  MCP_MAX_RESULT_CHARS: z.coerce.number().int().min(10_000).max(1_000_000).default(100_000),
  // A refresh claim older than this is presumed dead (its holder crashed mid-refresh).
  REFRESH_LEASE_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  // Local stack only: a fixed port for the embedded PostgreSQL (default: any free port).
  EMBEDDED_PG_PORT: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.coerce
      .number({ error: 'must be a port number (1-65535), or unset for any free port' })
      .int('must be a port number (1-65535), or unset for any free port')
      .min(1, 'must be a port number (1-65535), or unset for any free port')
      .max(65535, 'must be a port number (1-65535), or unset for any free port')
      .optional(),
  ),
  PARSE_APP_ID: optionalText,
  PARSE_REST_API_KEY: optionalText,
  PARSE_MASTER_KEY: optionalText,
  PARSE_SERVER_URL: optionalText.pipe(httpUrl.optional()),
  DATABASE_URI: optionalText.superRefine((v, ctx) => {
    const problem = v === undefined ? undefined : databaseUriProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  STORAGE_BACKEND: z.enum(['back4app', 'redis', 'memory']).default('back4app'),
  // The message never echoes the value: a Redis URL may carry a password.
  REDIS_URL: optionalText.refine(
    (v) => v === undefined || /^rediss?:\/\/\S+$/.test(v),
    'must be a redis:// or rediss:// URL (e.g. redis://localhost:6379)',
  ),
  SECRET_KEY: z
    .string({ error: `is required; ${SECRET_KEY_HINT}` })
    .min(32, `must be at least 32 characters; ${SECRET_KEY_HINT}`),
  ENCRYPTION_KEY: z
    .string({ error: `is required; ${FERNET_KEY_HINT}` })
    .transform((v) =>
      v
        .split(',')
        .map((k) => k.trim())
        .filter((k) => k.length > 0),
    )
    .refine((keys) => keys.length > 0, `is empty; ${FERNET_KEY_HINT}`)
    .refine(
      (keys) => keys.every(isFernetKey),
      `must be one or more comma-separated Fernet keys (32 bytes, URL-safe base64); ${FERNET_KEY_HINT}`,
    ),
  SESSION_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  // Per-process cache of verified sessions (cloud/storage/cached-store.ts); 0 turns it off.
  SESSION_CACHE_TTL_MS: z.coerce.number().int().min(0).max(300_000).default(5_000),
  // Per-process cache of decrypted Airtable credentials (cloud/cache/credential-cache.ts); 0: off.
  CREDENTIAL_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
  // How long Redis (REDIS_URL) may hold a verified session record, capped by its own expiry.
  SESSION_CACHE_REDIS_TTL_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(120_000),
  CLEANUP_SCHEDULE: z.string().default('0 3 * * *'),
  // How many reverse proxies in front of us append to X-Forwarded-For (cloud/http/rate-limit.ts).
  // 0 (the safe default) ignores the header: a client could put anything in it.
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  // Scales every rate limit below and the built-in per-IP ones (tests and benchmarks raise it).
  RATE_LIMIT_MULTIPLIER: z.coerce.number().positive().max(1_000_000).default(1),
  RATE_LIMIT_TOKEN_PER_IP: z.coerce.number().int().min(1).max(10_000_000).default(300),
  RATE_LIMIT_TOKEN_PER_CLIENT: z.coerce.number().int().min(1).max(10_000_000).default(300),
  RATE_LIMIT_MCP_PER_SESSION: z.coerce.number().int().min(1).max(10_000_000).default(600),
  LOG_LEVEL: LogLevelSchema,
  SANDBOX: z
    .enum(['0', '1', 'true', 'false'])
    .optional()
    .transform((v) => v === '1' || v === 'true'),
  // Dynamically registered clients: never used (no token) / idle after use (cleanup removes them).
  OAUTH_CLIENT_UNUSED_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 365)
    .default(24),
  OAUTH_CLIENT_IDLE_TTL_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  // JSON answers by default: Back4App's proxy may buffer SSE (UNVERIFIED; platform-facts.md).
  MCP_RESPONSE_MODE: z.enum(['json', 'sse']).default('json'),
  // Extra Host and Origin values /mcp accepts (cloud/http/host-check.ts, DNS-rebinding guard).
  MCP_ALLOWED_HOSTS: z
    .string()
    .optional()
    .transform(commaList)
    .refine(
      (hosts) => hosts.every((h) => HOST_PATTERN.test(h)),
      'must be comma-separated host names with an optional port (e.g. example.com,localhost:3000)',
    ),
  MCP_ALLOWED_ORIGINS: z
    .string()
    .optional()
    .transform(commaList)
    .refine(
      (origins) => origins.every(isOrigin),
      'must be comma-separated origins, scheme://host[:port] with no path (e.g. https://inspector.example.com)',
    ),
  // Tests and local development only: Client ID Metadata Documents from http and private addresses.
  OAUTH_CIMD_ALLOW_PRIVATE: z
    .enum(['0', '1', 'true', 'false'])
    .optional()
    .transform((v) => v === '1' || v === 'true'),
  // `npm run bench`'s auth baseline only (ignored in production): "<user id>[:<credential id>]".
  BENCH_BYPASS_AUTH_USER: optionalText.refine(
    (v) => v === undefined || /^[^:\s]+(:[^:\s]+)?$/.test(v),
    'must be <user id> or <user id>:<credential id>',
  ),
});

/** Per-IP and per-session request limits (cloud/http/rate-limit.ts); every limit is per minute. */
export interface RateLimitSettings {
  /** Proxies whose X-Forwarded-For entries are trusted (0: the socket peer is the client). */
  trustProxyHops: number;
  /** Multiplies every limit (including the fixed per-IP limits of the sign-in endpoints). */
  multiplier: number;
  tokenPerIp: number;
  tokenPerClient: number;
  mcpPerSession: number;
}

export interface Config {
  nodeEnv: string;
  port: number;
  publicUrl: string;
  airtable: {
    clientId: string | undefined;
    clientSecret: string | undefined;
    redirectUri: string;
    scopes: string;
    oauthBaseUrl: string;
    apiBaseUrl: string;
    /** Where upload-attachment is sent (content.airtable.com). */
    contentBaseUrl: string;
    /** Per attempt, for the Web API. */
    timeoutMs: number;
    /** Token endpoint and whoami: at most 15 s, and always below the refresh lease. */
    oauthTimeoutMs: number;
    /** Longest total wait for rate limits (429 and our own limiter) in one Web API request. */
    rateLimitBudgetMs: number;
  };
  /** Cross-process refresh claim lease (cloud/auth/airtable-grant.ts). */
  refreshLeaseMs: number;
  /** upload_attachment's URL fetch (cloud/http/safe-fetch.ts): private addresses and http allowed. */
  attachmentFetchAllowPrivate: boolean;
  mcp: {
    /** Largest tool result, in characters of JSON. */
    maxResultChars: number;
  };
  parse: {
    appId: string | undefined;
    restApiKey: string | undefined;
    masterKey: string | undefined;
    serverUrl: string | undefined;
  };
  databaseUri: string | undefined;
  /** Local stack: fixed port of the embedded PostgreSQL, else any free port. */
  embeddedPgPort: number | undefined;
  storageBackend: 'back4app' | 'redis' | 'memory';
  redisUrl: string | undefined;
  secretKey: string;
  /** First key encrypts; every key decrypts (rotation). */
  encryptionKeys: readonly string[];
  sessionTtlDays: number;
  /** Per-process session cache lifetime in ms (0: off); revocation in this process evicts at once. */
  sessionCacheTtlMs: number;
  /** Lifetime of a session record in the shared Redis cache, in ms (capped by the session's expiry). */
  sessionCacheRedisTtlMs: number;
  /** Per-process decrypted-credential cache lifetime in ms (0: off). */
  credentialCacheTtlMs: number;
  cleanupSchedule: string;
  rateLimits: RateLimitSettings;
  logLevel: LogLevel;
  sandbox: boolean;
  /** How /mcp answers a POST: one JSON body, or an SSE stream (MCP Streamable HTTP). */
  mcpResponseMode: 'json' | 'sse';
  /** Lifetimes of dynamically registered OAuth clients, in ms. */
  oauthClients: { unusedTtlMs: number; idleTtlMs: number };
  /** Client ID Metadata Documents may come from http and private addresses (never production). */
  oauthCimdAllowPrivate: boolean;
  /** Extra Host header values and browser origins /mcp accepts (lower case). */
  mcpAllowedHosts: readonly string[];
  mcpAllowedOrigins: readonly string[];
  /** The bench's auth baseline: /mcp serves this user without authentication (never production). */
  benchBypassAuthUser: string | undefined;
}

/** Parses `env` into a Config, or throws a ConfigError: one line per bad variable, with its fix. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const placeholders = new Set<string>();
  const cleaned: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && k in EnvSchema.shape && isPlaceholderValue(v)) placeholders.add(k);
    else cleaned[k] = v;
  }
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.') || '(environment)';
      const copied = placeholders.has(name) ? ' (its value is the .env.example placeholder)' : '';
      return `${name} ${issue.message}${copied}`;
    });
    throw new ConfigError(lines.join('\n'));
  }
  const e = parsed.data;
  const publicUrl = e.PUBLIC_URL ?? `http://localhost:${e.PORT}`;
  if (e.STORAGE_BACKEND === 'redis' && !e.REDIS_URL) {
    throw new ConfigError('STORAGE_BACKEND=redis needs REDIS_URL (e.g. redis://localhost:6379)');
  }
  // MCP 2025-11-25 authorization, "Communication Security": every authorization server endpoint
  // MUST be served over HTTPS. PUBLIC_URL is our issuer and resource; only a loopback one (a
  // person's own computer) may be http.
  const publicOrigin = new URL(publicUrl);
  if (
    e.NODE_ENV === 'production' &&
    publicOrigin.protocol !== 'https:' &&
    !isLoopbackHost(publicOrigin.hostname)
  ) {
    throw new ConfigError(
      'Invalid configuration:\n  PUBLIC_URL must start with https:// in production (MCP authorization serves every OAuth endpoint over HTTPS); http:// is for localhost only',
    );
  }
  if (e.ATTACHMENT_FETCH_ALLOW_PRIVATE && e.NODE_ENV === 'production') {
    throw new ConfigError(
      'Invalid configuration:\n  ATTACHMENT_FETCH_ALLOW_PRIVATE must not be set in production (it lets upload_attachment fetch private addresses)',
    );
  }
  if (e.OAUTH_CIMD_ALLOW_PRIVATE && e.NODE_ENV === 'production') {
    throw new ConfigError(
      'OAUTH_CIMD_ALLOW_PRIVATE must not be set in production (it lets anyone make this server fetch private addresses as a client metadata document)',
    );
  }
  // A refresh still in flight when its claim lapses would let a second process refresh the same
  // token, which burns the grant (Airtable rotates refresh tokens): the lease must outlast it.
  const oauthTimeoutMs = Math.min(e.AIRTABLE_TIMEOUT_MS, 15_000);
  if (e.REFRESH_LEASE_MS < oauthTimeoutMs + 1000) {
    throw new ConfigError(
      `REFRESH_LEASE_MS must be at least ${oauthTimeoutMs + 1000} (1 s more than the token request timeout, min(AIRTABLE_TIMEOUT_MS, 15000))`,
    );
  }
  return {
    nodeEnv: e.NODE_ENV ?? 'development',
    port: e.PORT,
    publicUrl,
    airtable: {
      clientId: e.AIRTABLE_CLIENT_ID,
      clientSecret: e.AIRTABLE_CLIENT_SECRET,
      redirectUri: e.AIRTABLE_REDIRECT_URI ?? `${publicUrl}/auth/callback`,
      scopes: e.AIRTABLE_SCOPES.trim(),
      oauthBaseUrl: e.AIRTABLE_OAUTH_BASE_URL,
      apiBaseUrl: e.AIRTABLE_API_BASE_URL,
      contentBaseUrl: e.AIRTABLE_CONTENT_BASE_URL,
      timeoutMs: e.AIRTABLE_TIMEOUT_MS,
      oauthTimeoutMs,
      rateLimitBudgetMs: e.AIRTABLE_RATE_LIMIT_BUDGET_MS,
    },
    refreshLeaseMs: e.REFRESH_LEASE_MS,
    attachmentFetchAllowPrivate: e.ATTACHMENT_FETCH_ALLOW_PRIVATE,
    mcp: { maxResultChars: e.MCP_MAX_RESULT_CHARS },
    parse: {
      appId: e.PARSE_APP_ID,
      restApiKey: e.PARSE_REST_API_KEY,
      masterKey: e.PARSE_MASTER_KEY,
      serverUrl: e.PARSE_SERVER_URL,
    },
    databaseUri: e.DATABASE_URI,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    storageBackend: e.STORAGE_BACKEND,
    redisUrl: e.REDIS_URL,
    secretKey: e.SECRET_KEY,
    encryptionKeys: e.ENCRYPTION_KEY,
    sessionTtlDays: e.SESSION_TTL_DAYS,
    sessionCacheTtlMs: e.SESSION_CACHE_TTL_MS,
    sessionCacheRedisTtlMs: e.SESSION_CACHE_REDIS_TTL_MS,
    credentialCacheTtlMs: e.CREDENTIAL_CACHE_TTL_MS,
    cleanupSchedule: e.CLEANUP_SCHEDULE,
    rateLimits: {
      trustProxyHops: e.TRUST_PROXY_HOPS,
      multiplier: e.RATE_LIMIT_MULTIPLIER,
      tokenPerIp: e.RATE_LIMIT_TOKEN_PER_IP,
      tokenPerClient: e.RATE_LIMIT_TOKEN_PER_CLIENT,
      mcpPerSession: e.RATE_LIMIT_MCP_PER_SESSION,
    },
    logLevel: e.LOG_LEVEL,
    sandbox: e.SANDBOX,
    mcpResponseMode: e.MCP_RESPONSE_MODE,
    oauthClients: {
      unusedTtlMs: e.OAUTH_CLIENT_UNUSED_TTL_HOURS * 3600_000,
      idleTtlMs: e.OAUTH_CLIENT_IDLE_TTL_DAYS * 86_400_000,
    },
    oauthCimdAllowPrivate: e.OAUTH_CIMD_ALLOW_PRIVATE,
    mcpAllowedHosts: e.MCP_ALLOWED_HOSTS,
    mcpAllowedOrigins: e.MCP_ALLOWED_ORIGINS,
    // Ignored in production, as before it was configurable: a bypass there would be a disaster.
    benchBypassAuthUser: e.NODE_ENV === 'production' ? undefined : e.BENCH_BYPASS_AUTH_USER,
  };
}

let cached: Config | undefined;

/** The process-wide configuration, loaded on first use. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}

/** Tests and the dev server call this after changing process.env. */
export function resetConfigCache(): void {
  cached = undefined;
}
