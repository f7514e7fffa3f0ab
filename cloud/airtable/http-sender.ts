/**
 * How the Web API client sends one HTTP request to Airtable. Two implementations of one small
 * interface (status, a header, the body as text):
 *
 * - `nodeHttpSender()`, the default: `node:http` / `node:https` with a keep-alive agent per
 *   process. A list_records call spends most of its CPU on plumbing, and Node's `fetch` (undici's
 *   WHATWG Request/Response/streams layer) was the largest single part of it: about a quarter of
 *   the server's time under `npm run bench -- profile`, against roughly half that for
 *   `http.request` moving the same bytes (docs/benchmarks.md). undici's own `request` API would
 *   do as well, but undici 7 needs Node 20.18 and Back4App's Node version is unverified (the
 *   bundle targets Node 18); the built-in modules work on every Node we support.
 *   It keeps what fetch gave us: compressed answers decoded (Airtable compresses when
 *   asked), the caller's AbortSignal covering the whole exchange (headers and body), and
 *   connection reuse; and adds a cap on the decoded body size (a runaway or hostile answer cannot
 *   fill the memory).
 * - `fetchSender(fetch)`: any `fetch` (unit tests' scripted stubs, a caller's own).
 *
 * The Authorization header is only ever handed to the request; errors name the failure (a code,
 * a size), never the request's headers or URL query.
 */
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';

export interface SendInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

export interface SentResponse {
  status: number;
  /** A response header by lower-case name (several values joined with ", "), or null. */
  header(name: string): string | null;
  /** The decoded body as UTF-8 text (a leading byte-order mark dropped, as fetch's text() does). */
  text: string;
}

export type AirtableSend = (url: string, init: SendInit) => Promise<SentResponse>;

/** Decoded answers larger than this fail the attempt (Airtable's largest - a big base's schema,
 * a page of long-text records - stay far below it). */
export const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** What an attempt that got no usable answer throws: `code` like Node's network errors. */
export class SendError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'SendError';
  }
}

export function fetchSender(f: typeof fetch): AirtableSend {
  return async (url, init) => {
    const res = await f(url, {
      method: init.method,
      headers: init.headers,
      signal: init.signal,
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
    const text = await res.text();
    return { status: res.status, header: (name) => res.headers.get(name), text };
  };
}

export interface NodeHttpSenderOptions {
  /** Idle keep-alive connections close after this long (default 4 s, as undici's fetch). */
  idleTimeoutMs?: number;
  maxResponseBytes?: number;
}

/**
 * One per process is enough (the agents pool connections per host); `idleTimeoutMs` stays below
 * the idle timeouts of the load balancers in front of Airtable, so a connection is rarely reused
 * just as the other side closes it (such a request fails as a network error, which the requester
 * retries for idempotent calls).
 */
export function nodeHttpSender(opts: NodeHttpSenderOptions = {}): AirtableSend {
  const agentOptions: http.AgentOptions = {
    keepAlive: true,
    // Node's agents close a free socket after this much inactivity (and honour a shorter
    // `Keep-Alive: timeout=` hint from the server).
    timeout: opts.idleTimeoutMs ?? 4_000,
    scheduling: 'lifo',
  };
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  const maxBytes = opts.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  return (url, init) => send(url, init, agents, maxBytes);
}

let shared: AirtableSend | undefined;

/** The process's sender (its agents pool connections for every user and request). */
export function sharedNodeHttpSender(): AirtableSend {
  shared ??= nodeHttpSender();
  return shared;
}

function send(
  url: string,
  init: SendInit,
  agents: { http: http.Agent; https: https.Agent },
  maxBytes: number,
): Promise<SentResponse> {
  return new Promise<SentResponse>((resolve, reject) => {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    if (!secure && target.protocol !== 'http:')
      return reject(new SendError(`unsupported protocol ${target.protocol}`, 'ERR_PROTOCOL'));
    if (init.signal.aborted) return reject(abortReason(init.signal));

    const headers: Record<string, string> = {
      ...init.headers,
      // Not deflate: servers disagree on whether it is zlib-wrapped; gzip is what Airtable sends.
      'Accept-Encoding': 'gzip, br',
    };
    if (init.body !== undefined)
      headers['Content-Length'] = String(Buffer.byteLength(init.body, 'utf8'));
    const options: http.RequestOptions = {
      method: init.method,
      headers,
      agent: secure ? agents.https : agents.http,
    };
    let settled = false;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      init.signal.removeEventListener('abort', onAbort);
      req.destroy();
      reject(err);
    };
    const onAbort = (): void => fail(abortReason(init.signal));
    const req = (secure ? https : http).request(target, options, (res) => {
      let body: Readable = res;
      try {
        body = decoded(res, res.headers['content-encoding']);
      } catch (err) {
        res.resume();
        return fail(err as Error);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      body.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          body.destroy();
          return fail(
            new SendError(`answer larger than ${maxBytes / 1024 / 1024} MB`, 'ERR_TOO_LARGE'),
          );
        }
        chunks.push(chunk);
      });
      body.on('error', (err: Error & { code?: string }) =>
        fail(new SendError(`reading the answer failed: ${err.code ?? err.message}`, errCode(err))),
      );
      res.on('close', () => {
        if (!res.complete) fail(new SendError('connection closed mid-answer', 'ECONNRESET'));
      });
      body.on('end', () => {
        if (settled) return;
        settled = true;
        init.signal.removeEventListener('abort', onAbort);
        let text = Buffer.concat(chunks, size).toString('utf8');
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        const h = res.headers;
        resolve({
          status: res.statusCode ?? 0,
          header: (name) => {
            const v = h[name.toLowerCase()];
            return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
          },
          text,
        });
      });
    });
    req.on('error', (err: Error & { code?: string }) =>
      fail(new SendError(err.code ?? err.message, errCode(err))),
    );
    init.signal.addEventListener('abort', onAbort, { once: true });
    req.end(init.body);
  });
}

/** The body stream decoded per Content-Encoding (RFC 9110 section 8.4: listed in the order
 * applied, so undone last to first). */
function decoded(res: http.IncomingMessage, encoding: string | undefined): Readable {
  if (!encoding) return res;
  let stream: Readable = res;
  const codings = encoding
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity')
    .reverse();
  for (const coding of codings) {
    const next = decoder(coding);
    stream.on('error', (err) => next.destroy(err));
    stream = stream.pipe(next);
  }
  return stream;
}

function decoder(coding: string): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress {
  // Lenient flushes as fetch: an answer cut at a block boundary still decodes what arrived.
  const flush = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  if (coding === 'gzip' || coding === 'x-gzip') return zlib.createGunzip(flush);
  if (coding === 'deflate') return zlib.createInflate(flush);
  if (coding === 'br') return zlib.createBrotliDecompress();
  throw new SendError(`unsupported Content-Encoding ${coding.slice(0, 40)}`, 'ERR_ENCODING');
}

function errCode(err: { code?: string }): string {
  return typeof err.code === 'string' ? err.code : 'ERR_NETWORK';
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new SendError('aborted', 'ABORT_ERR');
}
