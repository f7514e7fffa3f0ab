/**
 * A fenced HTTP GET for URLs chosen by someone else (a Client ID Metadata Document, a file the
 * model asks us to attach): the server-side request forgery guard both share (OWASP SSRF
 * prevention; draft-ietf-oauth-client-id-metadata-document section 6, "Server-Side Request
 * Forgery"). What it enforces:
 *
 * - https only, no credentials in the URL, and an IP literal must be public (safe-address.ts);
 * - every address a host name resolves to must be public, and the socket connects to the address
 *   that was checked: the check runs inside the socket's own DNS lookup, so a rebinding answer
 *   cannot slip in between check and connect;
 * - redirects only when the caller allows them, each hop checked the same way (so a public URL
 *   cannot redirect to a private one), at most `maxRedirects`;
 * - one deadline for the whole fetch (redirects included) and a byte limit, checked against
 *   Content-Length first and while reading;
 * - no cookies, no Authorization, nothing of ours is sent.
 *
 * `allowPrivate` (tests and local development only) lifts the address checks and allows http.
 * Failures are SafeFetchErrors with a reason and a message safe to show to the requester.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isPublicAddress } from '../oauth-server/clients/safe-address';

export type SafeFetchReason =
  | 'bad_url'
  | 'non_public'
  | 'redirect'
  | 'status'
  | 'too_large'
  | 'timeout'
  | 'unreachable'
  | 'read_failed'
  | 'aborted';

export class SafeFetchError extends Error {
  constructor(
    readonly reason: SafeFetchReason,
    message: string,
    /** The HTTP status, for reason 'status' and 'redirect'. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SafeFetchError';
  }
}

export interface SafeFetchOptions {
  /** Deadline for the whole fetch, redirects included. */
  timeoutMs: number;
  maxBytes: number;
  /** 0: a redirect is an error (reason 'redirect'). */
  maxRedirects: number;
  accept: string;
  userAgent: string;
  /** Tests and local development only: allows http and private or loopback addresses. */
  allowPrivate: boolean;
  /** The caller gave up (e.g. the MCP request was cancelled). */
  signal?: AbortSignal;
}

export interface SafeFetchResult {
  /** The URL that answered (after redirects). */
  url: URL;
  contentType: string | undefined;
  contentDisposition: string | undefined;
  body: Buffer;
}

const MAX_URL_LENGTH = 4000;

/**
 * The URL rules that hold before any connection: a parseable URL of at most 4000 characters,
 * https (http too with allowPrivate), no user or password, and an IP literal must be public.
 */
export function checkFetchableUrl(raw: string, allowPrivate: boolean): URL {
  if (raw.length > MAX_URL_LENGTH) throw new SafeFetchError('bad_url', 'The URL is too long.');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SafeFetchError('bad_url', 'The URL is not valid.');
  }
  const schemeOk = url.protocol === 'https:' || (allowPrivate && url.protocol === 'http:');
  if (!schemeOk) throw new SafeFetchError('bad_url', 'The URL must use https.');
  if (url.username || url.password)
    throw new SafeFetchError('bad_url', 'The URL must not contain a user name or password.');
  if (!allowPrivate) {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0 && !isPublicAddress(host))
      throw new SafeFetchError('non_public', 'The URL points to a non-public address.');
  }
  return url;
}

const NON_PUBLIC = 'The URL resolves to a non-public address; it cannot be fetched.';

/** dns.lookup that refuses hosts resolving to any non-public address (checked at connect time). */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { all: true, verbatim: true }, (err, addresses) => {
    if (err) {
      callback(err, '', 0);
      return;
    }
    if (addresses.length === 0 || addresses.some((a) => !isPublicAddress(a.address))) {
      const refused = Object.assign(new SafeFetchError('non_public', NON_PUBLIC), {
        code: 'EADDRNOTPUBLIC',
      });
      callback(refused, '', 0);
      return;
    }
    if (options.all) {
      // Node >= 20 asks for every address (happy eyeballs); the types only model the one-address form.
      (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
      return;
    }
    const first = addresses[0]!;
    callback(null, first.address, first.family);
  });
};

type Hop = { kind: 'body'; result: SafeFetchResult } | { kind: 'redirect'; location: string };

/** One GET without following redirects. */
function getOnce(url: URL, opts: SafeFetchOptions, signal: AbortSignal): Promise<Hop> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(
      url,
      {
        method: 'GET',
        headers: { Accept: opts.accept, 'User-Agent': opts.userAgent },
        ...(opts.allowPrivate ? {} : { lookup: guardedLookup }),
        signal,
        // Never reuse a socket another request (possibly to another address) opened.
        agent: false,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400) {
          res.resume();
          const location = res.headers.location;
          if (!location)
            return reject(new SafeFetchError('status', `The URL answered HTTP ${status}.`, status));
          return resolve({ kind: 'redirect', location });
        }
        if (status !== 200) {
          res.resume();
          return reject(new SafeFetchError('status', `The URL answered HTTP ${status}.`, status));
        }
        const tooLarge = () =>
          new SafeFetchError('too_large', `The file is larger than ${opts.maxBytes} bytes.`);
        const declared = Number(res.headers['content-length'] ?? '0');
        if (declared > opts.maxBytes) {
          res.destroy();
          return reject(tooLarge());
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > opts.maxBytes) {
            res.destroy();
            reject(tooLarge());
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({
            kind: 'body',
            result: {
              url,
              contentType: res.headers['content-type'],
              contentDisposition: res.headers['content-disposition'],
              body: Buffer.concat(chunks),
            },
          }),
        );
        res.on('error', () => reject(new SafeFetchError('read_failed', 'Reading the URL failed.')));
        res.on('close', () => {
          // Closed before the end (reset, or aborted by the deadline): a settled promise ignores this.
          if (!res.complete) reject(new SafeFetchError('read_failed', 'Reading the URL failed.'));
        });
      },
    );
    req.on('error', (err) => {
      if (err instanceof SafeFetchError) return reject(err);
      reject(new SafeFetchError('unreachable', 'The URL cannot be fetched.'));
    });
    req.end();
  });
}

/** GET `raw` within the limits of `opts`; throws a SafeFetchError with a client-safe message. */
export async function safeGet(raw: string, opts: SafeFetchOptions): Promise<SafeFetchResult> {
  let url = checkFetchableUrl(raw, opts.allowPrivate);
  if (opts.signal?.aborted) throw new SafeFetchError('aborted', 'The request was cancelled.');
  // One controller for the deadline and the caller's cancellation (AbortSignal.any is not in
  // Node 18, which the bundle targets).
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, opts.timeoutMs);
  const onCallerAbort = (): void => controller.abort();
  opts.signal?.addEventListener('abort', onCallerAbort, { once: true });
  try {
    for (let hops = 0; ; hops++) {
      let hop: Hop;
      try {
        hop = await getOnce(url, opts, controller.signal);
      } catch (err) {
        if (timedOut)
          throw new SafeFetchError(
            'timeout',
            `Fetching the URL took longer than ${opts.timeoutMs} ms.`,
          );
        if (opts.signal?.aborted) throw new SafeFetchError('aborted', 'The request was cancelled.');
        throw err;
      }
      if (hop.kind === 'body') return hop.result;
      if (hops >= opts.maxRedirects)
        throw new SafeFetchError(
          'redirect',
          opts.maxRedirects === 0
            ? 'The URL redirects; redirects are not followed.'
            : `The URL redirects more than ${opts.maxRedirects} times.`,
        );
      let next: string;
      try {
        next = new URL(hop.location, url).toString();
      } catch {
        throw new SafeFetchError('bad_url', 'The URL redirects to an invalid location.');
      }
      // The redirect target must pass the same checks (scheme, credentials, IP literal); its host
      // name is checked at connect time by the guarded lookup like any other.
      url = checkFetchableUrl(next, opts.allowPrivate);
    }
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onCallerAbort);
  }
}
