/**
 * The only code that talks to Airtable's OAuth endpoints and to /v0/meta/whoami for sign-in.
 * Built on oauth4webapi (PKCE, token requests, response checks); Airtable's rules from
 * airtable.com/developers/web/api/oauth-reference (see platform-facts.md):
 * - PKCE is mandatory, S256 only; verifier 43-128 chars of [A-Za-z0-9._-].
 * - HTTP Basic client authentication when the integration has a secret, none (client_id in the
 *   body) when it has none - Basic is then forbidden. The Basic credentials are
 *   `base64("<client_id>:<client_secret>")` of the RAW values, as Airtable's documentation and its
 *   reference client (github.com/Airtable/oauth-example, index.js) build them - not form-encoded
 *   first as RFC 6749 section 2.3.1 and oauth4webapi's ClientSecretBasic do (`-` -> `%2D`), which
 *   Airtable is not documented to decode (airtableBasicAuth below).
 * - Refresh rotates both tokens; 409 means "recently refreshed" (re-read the store).
 */
import * as oauth from 'oauth4webapi';
import { z } from 'zod';
import { count } from '../observability/metrics';

export interface AirtableOAuthOptions {
  clientId: string;
  clientSecret: string | undefined;
  redirectUri: string;
  scopes: string;
  oauthBaseUrl: string;
  apiBaseUrl: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** Airtable's token response (extra fields beyond RFC 6749 are Airtable's). */
export interface AirtableTokenSet {
  accessToken: string;
  refreshToken: string;
  scope: string;
  /** Absolute expiry of the access token. */
  accessExpiresAt: Date;
  /** Absolute expiry of the refresh token (about 60 days). */
  refreshExpiresAt: Date;
}

export type AirtableOAuthErrorKind =
  /** The code or refresh token is dead (invalid_grant): the person must sign in again. */
  | 'invalid_grant'
  /** 409: the refresh token was just rotated by someone else - re-read the store. */
  | 'conflict'
  /** Our client id / secret are wrong (401 invalid_client). */
  | 'invalid_client'
  /** Airtable refused the token (whoami 401). */
  | 'unauthorized'
  /** Network error, timeout or 5xx: keep the stored token and fail this call only. */
  | 'unavailable'
  /** Anything else Airtable rejected (400 invalid_request, unexpected shapes...). */
  | 'rejected';

export class AirtableOAuthError extends Error {
  constructor(
    readonly kind: AirtableOAuthErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'AirtableOAuthError';
  }
}

const WhoamiSchema = z.object({
  id: z.string().regex(/^usr[A-Za-z0-9]+$/, 'whoami id must look like usr...'),
  email: z.string().optional(),
  scopes: z.array(z.string()).optional(),
});
export type AirtableWhoami = z.infer<typeof WhoamiSchema>;

const TokenExtrasSchema = z.object({
  refresh_token: z.string().min(1),
  expires_in: z.number().positive().optional(),
  refresh_expires_in: z.number().positive().optional(),
  scope: z.string().optional(),
});

const ACCESS_DEFAULT_SECONDS = 60 * 60; // Airtable: access tokens last about 60 minutes
const REFRESH_DEFAULT_SECONDS = 60 * 24 * 60 * 60; // refresh tokens about 60 days

export class AirtableOAuthClient {
  private readonly as: oauth.AuthorizationServer;
  private readonly client: oauth.Client;
  private readonly auth: oauth.ClientAuth;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  constructor(private readonly opts: AirtableOAuthOptions) {
    const base = opts.oauthBaseUrl.replace(/\/+$/, '');
    this.as = {
      issuer: base,
      authorization_endpoint: `${base}/oauth2/v1/authorize`,
      token_endpoint: `${base}/oauth2/v1/token`,
    };
    this.client = { client_id: opts.clientId };
    this.auth = opts.clientSecret
      ? airtableBasicAuth(opts.clientId, opts.clientSecret)
      : oauth.None();
    this.fetchImpl = opts.fetch ?? fetch;
    this.timeoutMs = opts.timeoutMs ?? 15_000;
  }

  private requestOptions(): oauth.TokenEndpointRequestOptions {
    return {
      [oauth.customFetch]: (url: string, init: RequestInit) => this.fetchImpl(url, init),
      [oauth.allowInsecureRequests]: this.as.issuer.startsWith('http://'),
      signal: AbortSignal.timeout(this.timeoutMs),
    };
  }

  /** A fresh PKCE verifier (43 chars of base64url, within Airtable's allowed set). */
  static newCodeVerifier(): string {
    return oauth.generateRandomCodeVerifier();
  }

  /** Airtable's authorize URL for this state and verifier. */
  async authorizeUrl(state: string, codeVerifier: string): Promise<string> {
    const url = new URL(this.as.authorization_endpoint!);
    url.searchParams.set('client_id', this.opts.clientId);
    url.searchParams.set('redirect_uri', this.opts.redirectUri);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('scope', this.opts.scopes);
    url.searchParams.set('state', state);
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
    url.searchParams.set('code_challenge_method', 'S256');
    return url.toString();
  }

  /** Exchanges an authorization code (single use even when this fails, per Airtable). */
  async exchangeCode(code: string, codeVerifier: string): Promise<AirtableTokenSet> {
    // The state was already checked (and consumed) against our store; oauth4webapi still wants the
    // callback parameters to pass through its validator (which also rejects `error=` responses).
    const params = oauth.validateAuthResponse(
      this.as,
      this.client,
      new URLSearchParams({ code }),
      oauth.skipStateCheck,
    );
    return this.tokenCall(() =>
      oauth.authorizationCodeGrantRequest(
        this.as,
        this.client,
        this.auth,
        params,
        this.opts.redirectUri,
        codeVerifier,
        this.requestOptions(),
      ),
    );
  }

  /** Uses (and thereby invalidates) a refresh token; the caller persists the new pair at once. */
  async refresh(refreshToken: string): Promise<AirtableTokenSet> {
    try {
      const tokens = await this.tokenCall(() =>
        oauth.refreshTokenGrantRequest(
          this.as,
          this.client,
          this.auth,
          refreshToken,
          this.requestOptions(),
        ),
      );
      count('token_refreshes');
      return tokens;
    } catch (err) {
      if (err instanceof AirtableOAuthError && err.kind === 'conflict')
        count('token_refresh_conflicts');
      else {
        count('token_refresh_failures');
        if (err instanceof AirtableOAuthError && err.kind === 'invalid_grant') count('grants_dead');
      }
      throw err;
    }
  }

  private async tokenCall(send: () => Promise<Response>): Promise<AirtableTokenSet> {
    let response: Response;
    count('airtable_token_requests');
    try {
      response = await send();
    } catch (err) {
      if (
        err instanceof oauth.OperationProcessingError ||
        err instanceof oauth.UnsupportedOperationError
      )
        throw new AirtableOAuthError(
          'rejected',
          `The token request could not be built: ${err.message}`,
        );
      throw new AirtableOAuthError(
        'unavailable',
        `Airtable's token endpoint could not be reached (${describeNetworkError(err)}).`,
      );
    }
    if (response.status === 409)
      throw new AirtableOAuthError('conflict', 'Airtable says the token was just refreshed.', 409);
    if (response.status >= 500)
      throw new AirtableOAuthError(
        'unavailable',
        `Airtable's token endpoint answered ${response.status}; try again shortly.`,
        response.status,
      );
    const now = Date.now();
    try {
      const result = await oauth.processGenericTokenEndpointResponse(
        this.as,
        this.client,
        response,
      );
      const extras = TokenExtrasSchema.parse(result);
      return {
        accessToken: result.access_token,
        refreshToken: extras.refresh_token,
        scope: extras.scope ?? this.opts.scopes,
        accessExpiresAt: new Date(now + (extras.expires_in ?? ACCESS_DEFAULT_SECONDS) * 1000),
        refreshExpiresAt: new Date(
          now + (extras.refresh_expires_in ?? REFRESH_DEFAULT_SECONDS) * 1000,
        ),
      };
    } catch (err) {
      if (err instanceof oauth.ResponseBodyError) {
        const description = err.error_description ? `: ${err.error_description}` : '';
        if (err.error === 'invalid_grant')
          throw new AirtableOAuthError(
            'invalid_grant',
            `Airtable refused the grant${description}`,
            err.status,
          );
        if (err.error === 'invalid_client')
          throw new AirtableOAuthError(
            'invalid_client',
            `Airtable refused our client credentials${description}. Check AIRTABLE_CLIENT_ID and AIRTABLE_CLIENT_SECRET.`,
            err.status,
          );
        throw new AirtableOAuthError(
          'rejected',
          `Airtable answered ${err.error}${description}`,
          err.status,
        );
      }
      throw new AirtableOAuthError(
        'rejected',
        `Airtable's token response was not understood (HTTP ${response.status}).`,
        response.status,
      );
    }
  }

  /** GET /v0/meta/whoami - the stable Airtable user id (usr...) for a token or PAT. */
  whoami(accessToken: string): Promise<AirtableWhoami> {
    return fetchWhoami(
      { apiBaseUrl: this.opts.apiBaseUrl, fetch: this.fetchImpl, timeoutMs: this.timeoutMs },
      accessToken,
    );
  }
}

/**
 * HTTP Basic exactly as Airtable documents it: base64 of the raw `client_id:client_secret`
 * (UTF-8), no client credentials in the body. (A client id containing ":" could not be sent this
 * way at all - RFC 7617 section 2 - and Airtable's never do.)
 */
export function airtableBasicAuth(clientId: string, clientSecret: string): oauth.ClientAuth {
  const value = `Basic ${Buffer.from(`${clientId}:${clientSecret}`, 'utf8').toString('base64')}`;
  return (_as, _client, body, headers) => {
    body.delete('client_id');
    headers.set('authorization', value);
  };
}

/** GET /v0/meta/whoami (no scope needed); `id` is the stable Airtable user id. */
export async function fetchWhoami(
  opts: { apiBaseUrl: string; fetch?: typeof fetch; timeoutMs?: number },
  accessToken: string,
): Promise<AirtableWhoami> {
  const doFetch = opts.fetch ?? fetch;
  let response: Response;
  count('airtable_requests');
  try {
    response = await doFetch(`${opts.apiBaseUrl.replace(/\/+$/, '')}/v0/meta/whoami`, {
      headers: { Authorization: `Bearer ${accessToken}` },
      signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
    });
  } catch (err) {
    const detail = describeNetworkError(err);
    count(detail === 'timed out' ? 'airtable_timeouts' : 'airtable_network_errors');
    throw new AirtableOAuthError('unavailable', `Airtable could not be reached (${detail}).`);
  }
  if (response.status === 429) count('airtable_429');
  else if (response.status >= 500) count('airtable_5xx');
  if (response.status === 401 || response.status === 403) {
    const reason = await airtableErrorMessage(response);
    throw new AirtableOAuthError(
      'unauthorized',
      // Airtable's message usually ends with a period already: one, not two.
      `Airtable refused the token${reason ? `: ${reason.trimEnd().replace(/\.$/, '')}` : ''}.`,
      response.status,
    );
  }
  if (response.status === 429)
    throw new AirtableOAuthError(
      'unavailable',
      'Airtable is rate limiting this token; try again in 30 seconds.',
      429,
    );
  if (!response.ok)
    throw new AirtableOAuthError(
      'unavailable',
      `Airtable answered ${response.status} to whoami.`,
      response.status,
    );
  const parsed = WhoamiSchema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success)
    throw new AirtableOAuthError('rejected', 'Airtable answered whoami with an unexpected body.');
  return parsed.data;
}

function describeNetworkError(err: unknown): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))
    return 'timed out';
  return 'network error';
}

/** Airtable's error body is {"error": {"type", "message"}} or {"error": "TYPE"}; never echo tokens. */
async function airtableErrorMessage(response: Response): Promise<string> {
  const body: unknown = await response.json().catch(() => undefined);
  const parsed = z
    .object({
      error: z.union([z.string(), z.object({ type: z.string(), message: z.string().optional() })]),
    })
    .safeParse(body);
  if (!parsed.success) return '';
  const e = parsed.data.error;
  return typeof e === 'string' ? e : `${e.type}${e.message ? ` - ${e.message}` : ''}`;
}
