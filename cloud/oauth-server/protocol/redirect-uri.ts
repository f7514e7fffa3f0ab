/**
 * Redirect URI rules for registration and matching, as RFC 8252 (OAuth 2.0 for Native Apps)
 * allows them - desktop MCP clients are native apps:
 *
 * - https: any host (web clients, e.g. Claude and ChatGPT).
 * - http: loopback only (section 7.3: `localhost`, `127.0.0.1`, `[::1]`), and matched ignoring the
 *   port, because the client picks a free port at run time ("MUST allow any port to be specified
 *   at the time of the request for loopback IP redirect URIs").
 * - private-use URI schemes (section 7.1), e.g. Cursor's `cursor://anysphere.cursor-mcp/...`: the
 *   operating system hands the answer to the application that claimed the scheme. Any syntactically
 *   valid scheme (RFC 3986 section 3.1) is accepted except those that would run or read something
 *   in the browser itself (`javascript:`, `data:`, `file:`, `vbscript:`, `blob:`, `about:`, ...).
 * - never user information or a fragment (RFC 6749 section 3.1.2).
 *
 * Everything else is matched exactly (OAuth 2.1 section 4.1.1; MCP authorization spec).
 */
import { isLoopbackHost } from '../../http/loopback';

const MAX_LENGTH = 2000;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
/** Schemes a browser handles itself: redirecting a code there runs or exposes it in the page. */
const REFUSED_SCHEMES = new Set([
  'javascript',
  'data',
  'file',
  'vbscript',
  'blob',
  'about',
  'filesystem',
  'view-source',
  'ws',
  'wss',
]);

export type RedirectKind = 'web' | 'loopback' | 'private-use';

/** Why `uri` cannot be registered, or undefined when it can. */
export function redirectUriProblem(uri: string): string | undefined {
  if (uri.length > MAX_LENGTH) return `is longer than ${MAX_LENGTH} characters`;
  if (uri.includes('#')) return 'must not contain a fragment (RFC 6749 section 3.1.2)';
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase();
  if (!scheme) return 'is not an absolute URI';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'is not an absolute URI';
  }
  if (url.username || url.password) return 'must not contain user information';
  if (REFUSED_SCHEMES.has(scheme))
    return `uses the ${scheme} scheme, which a browser would handle itself; use https, loopback http or an application's own scheme`;
  if (scheme === 'https') return url.hostname ? undefined : 'must name a host';
  if (scheme === 'http')
    return isLoopbackHost(url.hostname)
      ? undefined
      : 'must use https (http is only allowed on localhost, 127.0.0.1 or [::1])';
  return undefined; // a private-use scheme (RFC 8252 section 7.1)
}

export function redirectKind(uri: string): RedirectKind {
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase();
  if (scheme === 'https') return 'web';
  if (scheme === 'http') return 'loopback';
  return 'private-use';
}

/** A loopback http URI without its port, for RFC 8252 section 7.3 matching. */
function withoutPort(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' || !isLoopbackHost(url.hostname)) return undefined;
  url.port = '';
  return url.toString();
}

/** Whether `uri` (from an authorization request) is one `registered` by the client. */
export function isRegisteredRedirectUri(registered: readonly string[], uri: string): boolean {
  if (registered.includes(uri)) return true;
  const portless = withoutPort(uri);
  return portless !== undefined && registered.some((r) => withoutPort(r) === portless);
}

/** What a person should recognise on the consent page as the receiver of the answer. */
export function redirectHost(uri: string): string {
  try {
    const url = new URL(uri);
    if (redirectKind(uri) === 'private-use') return `${url.protocol}//${url.host}`;
    return url.host;
  } catch {
    return uri;
  }
}
