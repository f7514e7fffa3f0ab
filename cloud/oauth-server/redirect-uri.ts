/**
 * Redirect URI rules. Registration (RFC 7591 section 2, OAuth 2.1 section 2.3.1, RFC 8252
 * section 7.3): absolute, no fragment (RFC 6749 section 3.1.2), https, or http on a loopback
 * host for native apps. Matching is exact string comparison (OAuth 2.1 section 4.1.1; MCP
 * authorization spec: "exact redirect URI matching").
 */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const MAX_LENGTH = 2000;

/** Why `uri` cannot be registered, or undefined when it can. */
export function redirectUriProblem(uri: string): string | undefined {
  if (uri.length > MAX_LENGTH) return `is longer than ${MAX_LENGTH} characters`;
  if (uri.includes('#')) return 'must not contain a fragment (RFC 6749 section 3.1.2)';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.username || url.password) return 'must not contain user information';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  if (url.protocol === 'http:')
    return 'must use https (http is only allowed on localhost, 127.0.0.1 or [::1])';
  return `uses the ${url.protocol.replace(/:$/, '')} scheme; only https and loopback http are allowed`;
}

export function isRegisteredRedirectUri(registered: readonly string[], uri: string): boolean {
  return registered.includes(uri);
}

/** The host a person should recognise on the consent page. */
export function redirectHost(uri: string): string {
  try {
    return new URL(uri).host;
  } catch {
    return uri;
  }
}
