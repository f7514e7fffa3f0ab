/**
 * A browser for HTTP tests: a real cookie jar (tough-cookie: Path, Max-Age, Secure, SameSite as
 * RFC 6265bis) in front of fetch, redirects followed by hand so each hop's cookies land. Two of
 * them are two people: what one approved must never complete in the other.
 */
import { randomBytes } from 'node:crypto';
import { CookieJar } from 'tough-cookie';

export interface BrowserResponse {
  status: number;
  location: string | null;
  headers: Headers;
  text: string;
  url: string;
}

export class TestBrowser {
  readonly jar = new CookieJar();
  /**
   * The address this person connects from, as the front proxy reports it (X-Forwarded-For):
   * test files running in parallel never share a per-IP limit, and two browsers are two people.
   */
  readonly ip = `10.${[...randomBytes(3)].join('.')}`;

  /** One request, cookies sent and stored; never follows a redirect. */
  async fetch(url: string, init: RequestInit = {}): Promise<BrowserResponse> {
    const headers = new Headers(init.headers);
    if (!headers.has('X-Forwarded-For')) headers.set('X-Forwarded-For', this.ip);
    const cookie = await this.jar.getCookieString(url);
    if (cookie) headers.set('Cookie', cookie);
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const set of res.headers.getSetCookie())
      await this.jar.setCookie(set, url, { ignoreError: true });
    const location = res.headers.get('location');
    return {
      status: res.status,
      location: location && new URL(location, url).toString(),
      headers: res.headers,
      text: await res.text(),
      url,
    };
  }

  /** A top-level navigation: GET, following redirects while they stay on `origins`. */
  async navigate(
    url: string,
    opts: { origins?: string[]; headers?: Record<string, string>; maxHops?: number } = {},
  ): Promise<BrowserResponse> {
    let res = await this.fetch(url, { headers: opts.headers ?? {} });
    for (let hop = 0; hop < (opts.maxHops ?? 5) && res.location; hop++) {
      const next = new URL(res.location);
      if (opts.origins && !opts.origins.includes(next.origin)) break;
      res = await this.fetch(next.toString(), { headers: opts.headers ?? {} });
    }
    return res;
  }

  /** A same-origin form post, as our own pages send it (Fetch Metadata included). */
  async submit(url: string, fields: Record<string, string>): Promise<BrowserResponse> {
    return this.fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'Sec-Fetch-Site': 'same-origin',
        Origin: 'null', // our pages set Referrer-Policy: no-referrer
        Accept: 'text/html',
      },
      body: new URLSearchParams(fields).toString(),
    });
  }

  async cookie(url: string, name: string): Promise<string | undefined> {
    return (await this.jar.getCookies(url)).find((c) => c.key === name)?.value;
  }
}
