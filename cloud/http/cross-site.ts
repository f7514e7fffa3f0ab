/**
 * Refusal of cross-site browser requests on every endpoint that changes state from a browser
 * (sign-in with a token, logout, the consent decision): otherwise another site could sign a
 * person's browser in with the attacker's Airtable account (login CSRF) or sign them out.
 *
 * Fetch Metadata first (w3c.github.io/webappsec-fetch-metadata): a browser that sends
 * `Sec-Fetch-Site` must say `same-origin` (our own page) or `none` (typed by the person). We refuse
 * `same-site` as well: apps on one Back4App domain (`*.b4a.app`) may count as one site. Then
 * `Origin`, for browsers without Fetch Metadata: when present it must be ours. Our pages send
 * `Referrer-Policy: no-referrer`, under which a form post carries `Origin: null`; that is only
 * accepted together with `Sec-Fetch-Site: same-origin`. API clients (curl, SDKs) send neither
 * header and are not affected: they cannot ride on a person's cookies.
 */
import type { Request } from 'express';
import { isLoopbackHost } from './loopback';

/** Our own origins: PUBLIC_URL's, plus the other loopback names when it is a loopback URL. */
export function ownOrigins(publicUrl: string): Set<string> {
  const url = new URL(publicUrl);
  const origins = new Set([url.origin.toLowerCase()]);
  if (isLoopbackHost(url.hostname))
    for (const h of ['localhost', '127.0.0.1', '[::1]'])
      origins.add(`${url.protocol}//${h}${url.port ? `:${url.port}` : ''}`);
  return origins;
}

/** Why this request must be refused as cross-site, or undefined when it may go on. */
export function crossSiteProblem(req: Request, publicUrl: string): string | undefined {
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    return `Requests from other sites are refused here (Sec-Fetch-Site: ${String(site).slice(0, 20)}).`;
  if (origin === undefined) return undefined;
  if (origin === 'null')
    return site === 'same-origin'
      ? undefined
      : 'Requests from other sites are refused here (Origin: null).';
  if (!ownOrigins(publicUrl).has(origin.toLowerCase()))
    return 'Requests from other sites are refused here (the Origin is not this server).';
  return undefined;
}
