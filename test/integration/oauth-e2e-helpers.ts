/**
 * The MCP SDK's own OAuth client pieces for end-to-end tests against the running server: an
 * in-memory OAuthClientProvider (what Claude, ChatGPT or MCP Inspector keep in their storage)
 * and the person's part in a browser - our consent page (the form is parsed and posted as a
 * browser would), Airtable's consent (the fake's admin shortcut), and the redirects through
 * /auth/callback back to the client's redirect URI.
 */
import { auth, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { harness } from '../harness/env';
import { fakeAdmin } from '../helpers/airtable';
import { TestBrowser } from '../helpers/browser';

/** Never contacted: the test reads the code from the Location header. */
export const CLIENT_REDIRECT = 'http://127.0.0.1:9/callback';

export class MemoryOAuthProvider implements OAuthClientProvider {
  info: OAuthClientInformationMixed | undefined;
  saved: OAuthTokens | undefined;
  verifier = '';
  /** Every authorization URL the SDK asked us to open, newest last. */
  readonly authorizationUrls: URL[] = [];
  readonly stateValue = `state-${Math.random().toString(36).slice(2)}-0123456789`;

  constructor(
    private readonly clientName: string,
    /** A client_id known up front (a Client ID Metadata Document URL); else DCR. */
    preset?: OAuthClientInformationMixed,
  ) {
    this.info = preset;
  }
  get redirectUrl(): string {
    return CLIENT_REDIRECT;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      redirect_uris: [CLIENT_REDIRECT],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      client_name: this.clientName,
    };
  }
  state(): string {
    return this.stateValue;
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
    this.authorizationUrls.push(url);
  }
  saveCodeVerifier(v: string) {
    this.verifier = v;
  }
  codeVerifier() {
    return this.verifier;
  }
  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery') {
    if (scope === 'all' || scope === 'tokens') this.saved = undefined;
    if (scope === 'all' || scope === 'client') this.info = undefined;
    if (scope === 'all' || scope === 'verifier') this.verifier = '';
  }
  get lastAuthorizationUrl(): URL {
    const url = this.authorizationUrls[this.authorizationUrls.length - 1];
    if (!url) throw new Error('the SDK never asked to open an authorization URL');
    return url;
  }
}

function unescapeHtml(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The consent form as a browser would submit it with the "Allow" button. */
export function consentForm(html: string, pageUrl: URL): { action: URL; fields: URLSearchParams } {
  const form = /<form[^>]*method="post"[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error(`no consent form on the page: ${html.slice(0, 400)}`);
  const fields = new URLSearchParams();
  for (const m of form[2]!.matchAll(/<input[^>]*type="hidden"[^>]*>/gi)) {
    const name = /name="([^"]*)"/.exec(m[0])?.[1];
    const value = /value="([^"]*)"/.exec(m[0])?.[1];
    if (name !== undefined) fields.append(name, unescapeHtml(value ?? ''));
  }
  const allow = /<button[^>]*name="([^"]+)"[^>]*value="approve"[^>]*>/i.exec(form[2]!);
  if (!allow) throw new Error('no approve button in the consent form');
  fields.append(allow[1]!, 'approve');
  return { action: new URL(unescapeHtml(form[1]!), pageUrl), fields };
}

/**
 * The person's part, in `browser` (a cookie jar of its own): opens the authorization URL,
 * approves our consent page, approves Airtable's (as `airtableUserId`) unless the browser is
 * already signed in here, and follows /auth/callback. Returns where the browser lands: the
 * client's redirect URI with `code`, `state` and `iss`.
 */
export async function approveInBrowser(
  authorizationUrl: URL,
  airtableUserId: string,
  browser = new TestBrowser(),
) {
  const page = await browser.fetch(authorizationUrl.toString());
  const html = page.text;
  if (page.status !== 200) throw new Error(`consent page answered ${page.status}: ${html}`);
  const { action, fields } = consentForm(html, authorizationUrl);
  const decided = await browser.fetch(action.toString(), {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Origin: action.origin,
      'Sec-Fetch-Site': 'same-origin',
    },
    body: fields.toString(),
  });
  const next = decided.location;
  if (!next) throw new Error(`consent answered ${decided.status}: ${decided.text}`);
  if (!next.startsWith(`${harness().fakeAirtableUrl}/`)) return { html, landing: new URL(next) }; // signed in here: the code comes at once

  const airtable = await fakeAdmin().authorize({ url: next, userId: airtableUserId });
  if (!airtable.ok) throw new Error(`Airtable consent refused: ${airtable.error_description}`);
  const callback = await browser.fetch(airtable.location);
  if (callback.status !== 302 || !callback.location)
    throw new Error(`/auth/callback answered ${callback.status}: ${callback.text}`);
  return { html, landing: new URL(callback.location) };
}

/** Our OAuth tokens for a new client of `serverUrl`, the SDK's way, narrowed to `scope`. */
export async function sdkTokens(
  serverUrl: string,
  airtableUserId: string,
  scope?: string,
  browser?: TestBrowser,
): Promise<{ provider: MemoryOAuthProvider; tokens: OAuthTokens }> {
  const provider = new MemoryOAuthProvider('Scoped test client');
  const started = await auth(provider, { serverUrl, ...(scope ? { scope } : {}) });
  if (started !== 'REDIRECT') throw new Error(`auth() answered ${started}`);
  const { landing } = await approveInBrowser(
    provider.lastAuthorizationUrl,
    airtableUserId,
    browser,
  );
  const code = landing.searchParams.get('code');
  if (!code) throw new Error(`no code: ${landing.toString()}`);
  const done = await auth(provider, { serverUrl, authorizationCode: code });
  if (done !== 'AUTHORIZED' || !provider.saved) throw new Error(`code exchange: ${done}`);
  return { provider, tokens: provider.saved };
}
