/**
 * Which public URL a request speaks for. In production that is PUBLIC_URL, always. In
 * development, when PUBLIC_URL is a loopback URL (`http://localhost:8000` by default), the same
 * server also answers as `http://127.0.0.1:8000` and `http://[::1]:8000`, and a client that was
 * given one of those names must see that very name in the protected resource metadata, the
 * challenge and the issuer: RFC 9728 section 3.3 requires the `resource` to be identical to the
 * URL the client used (mcp-remote stops otherwise). So the discovery documents, the challenge and
 * the resource checks follow the loopback name of the request; the browser part of a sign-in is
 * moved to PUBLIC_URL first (cookies are per host name, and AIRTABLE_REDIRECT_URI names one).
 */
import type { Request } from 'express';
import { isLoopbackHost, LOOPBACK_HOSTNAMES } from './loopback';

/** PUBLIC_URL parsed once per process (every /mcp request asks). */
const parsed = new Map<string, { protocol: string; port: string; loopback: boolean }>();

function parsedPublicUrl(publicUrl: string): { protocol: string; port: string; loopback: boolean } {
  let p = parsed.get(publicUrl);
  if (!p) {
    const u = new URL(publicUrl);
    p = { protocol: u.protocol, port: u.port, loopback: isLoopbackHost(u.hostname) };
    parsed.set(publicUrl, p);
  }
  return p;
}

/** PUBLIC_URL, or its loopback alias that this request came to (development only). */
export function publicUrlFor(req: Request, publicUrl: string): string {
  const base = parsedPublicUrl(publicUrl);
  if (!base.loopback) return publicUrl;
  const host = String(req.headers.host ?? '');
  // A client keeps using one name: the last answer is reused for the same Host and PUBLIC_URL.
  if (lastAsked?.host === host && lastAsked.publicUrl === publicUrl) return lastAsked.answer;
  const answer = loopbackAlias(publicUrl, base, host);
  lastAsked = { host, publicUrl, answer };
  return answer;
}

let lastAsked: { host: string; publicUrl: string; answer: string } | undefined;

function loopbackAlias(
  publicUrl: string,
  base: { protocol: string; port: string },
  host: string,
): string {
  let asked: URL;
  try {
    asked = new URL(`${base.protocol}//${host}`);
  } catch {
    return publicUrl;
  }
  if (!isLoopbackHost(asked.hostname) || asked.port !== base.port) return publicUrl;
  return withHost(publicUrl, asked.hostname);
}

/** Every public URL this server answers as: PUBLIC_URL first, then its loopback aliases. */
export function publicUrlAliases(publicUrl: string): string[] {
  const base = new URL(publicUrl);
  if (!isLoopbackHost(base.hostname)) return [publicUrl];
  return [
    publicUrl,
    ...LOOPBACK_HOSTNAMES.filter((h) => h !== base.hostname).map((h) => withHost(publicUrl, h)),
  ];
}

/** Whether this request came to PUBLIC_URL itself (not to a loopback alias of it). */
export function isCanonical(req: Request, publicUrl: string): boolean {
  return publicUrlFor(req, publicUrl) === publicUrl;
}

/**
 * For a browser step that arrived on a loopback alias: the same URL on PUBLIC_URL, so that the
 * cookies it sets come back with the Airtable callback; undefined when it is on PUBLIC_URL already.
 * `extra` adds parameters that would otherwise lose the alias (e.g. the default `resource`).
 */
export function canonicalRedirect(
  req: Request,
  publicUrl: string,
  extra: (alias: string, params: URLSearchParams) => void = () => undefined,
): string | undefined {
  const alias = publicUrlFor(req, publicUrl);
  if (alias === publicUrl) return undefined;
  const target = new URL(req.originalUrl || req.url, `${alias}/`);
  const canonical = new URL(publicUrl);
  target.protocol = canonical.protocol;
  target.host = canonical.host;
  extra(alias, target.searchParams);
  return target.toString();
}

function withHost(publicUrl: string, hostname: string): string {
  const url = new URL(publicUrl);
  url.hostname = hostname;
  return url.toString().replace(/\/+$/, '');
}
