/**
 * The shared SSRF-safe fetcher (cloud/http/safe-fetch.ts) against a local HTTP server: limits
 * (bytes, deadline, redirects), each redirect hop checked like the first URL, and - without
 * allowPrivate - no connection at all to loopback literals or names resolving to them (OWASP SSRF
 * prevention; the Client ID Metadata Document draft, section 6).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkFetchableUrl, safeGet, SafeFetchError } from '../../cloud/http/safe-fetch';

let server: http.Server;
let base: string;
const hits: string[] = [];

const OPTS = {
  timeoutMs: 2000,
  maxBytes: 1000,
  maxRedirects: 2,
  accept: '*/*',
  userAgent: 'test',
  allowPrivate: true,
};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    const url = req.url ?? '/';
    if (url === '/file.txt') {
      res.writeHead(200, {
        'Content-Type': 'text/plain; charset=utf-8',
        'Content-Disposition': 'attachment; filename="notes.txt"',
      });
      return res.end('hello');
    }
    if (url === '/declared-big') {
      res.writeHead(200, { 'Content-Length': '5000' });
      return res.end('x'.repeat(5000));
    }
    if (url === '/streamed-big') {
      res.writeHead(200, { 'Transfer-Encoding': 'chunked' });
      for (let i = 0; i < 20; i++) res.write('y'.repeat(100));
      return res.end();
    }
    if (url === '/slow') return void setTimeout(() => res.end('late'), 5000).unref();
    if (url.startsWith('/hop/')) {
      const n = Number(url.slice(5));
      res.writeHead(302, { Location: n <= 0 ? '/file.txt' : `/hop/${n - 1}` });
      return res.end();
    }
    if (url === '/to-credentials') {
      res.writeHead(302, { Location: 'http://user:pw@127.0.0.1/file.txt' });
      return res.end();
    }
    if (url === '/to-ftp') {
      res.writeHead(301, { Location: 'ftp://example.com/file' });
      return res.end();
    }
    res.writeHead(404);
    res.end('nope');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof SafeFetchError) return err.reason;
    throw err;
  }
  throw new Error('expected a SafeFetchError');
}

describe('within the limits', () => {
  it('returns the body, type and disposition', async () => {
    const res = await safeGet(`${base}/file.txt`, OPTS);
    expect(res.body.toString()).toBe('hello');
    expect(res.contentType).toBe('text/plain; charset=utf-8');
    expect(res.contentDisposition).toContain('notes.txt');
  });

  it('follows redirects up to maxRedirects and reports the final URL', async () => {
    const res = await safeGet(`${base}/hop/1`, OPTS);
    expect(res.body.toString()).toBe('hello');
    expect(res.url.pathname).toBe('/file.txt');
    expect(await reason(safeGet(`${base}/hop/5`, OPTS))).toBe('redirect');
    expect(await reason(safeGet(`${base}/hop/0`, { ...OPTS, maxRedirects: 0 }))).toBe('redirect');
  });

  it('checks every redirect target like the first URL', async () => {
    expect(await reason(safeGet(`${base}/to-credentials`, OPTS))).toBe('bad_url');
    expect(await reason(safeGet(`${base}/to-ftp`, OPTS))).toBe('bad_url');
  });

  it('refuses bodies over the limit, declared or streamed', async () => {
    expect(await reason(safeGet(`${base}/declared-big`, OPTS))).toBe('too_large');
    expect(await reason(safeGet(`${base}/streamed-big`, OPTS))).toBe('too_large');
  });

  it('gives up at the deadline, and when the caller cancels', async () => {
    const started = Date.now();
    expect(await reason(safeGet(`${base}/slow`, { ...OPTS, timeoutMs: 300 }))).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2000);
    const controller = new AbortController();
    const p = safeGet(`${base}/slow`, { ...OPTS, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(await reason(p)).toBe('aborted');
  });

  it('reports other statuses', async () => {
    const err = await safeGet(`${base}/missing`, OPTS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SafeFetchError);
    expect((err as SafeFetchError).status).toBe(404);
  });
});

describe('without allowPrivate', () => {
  const strict = { ...OPTS, allowPrivate: false };

  it('refuses http, credentials and bad URLs before connecting', async () => {
    const before = hits.length;
    expect(await reason(safeGet(`${base}/file.txt`, strict))).toBe('bad_url');
    expect(await reason(safeGet('https://user:pw@example.com/x', strict))).toBe('bad_url');
    expect(await reason(safeGet('not a url', strict))).toBe('bad_url');
    expect(await reason(safeGet(`https://example.com/${'x'.repeat(5000)}`, strict))).toBe(
      'bad_url',
    );
    expect(hits.length).toBe(before);
  });

  it.each([
    'https://127.0.0.1/x',
    'https://[::1]/x',
    'https://10.1.2.3/x',
    'https://169.254.169.254/latest/meta-data',
    'https://[::ffff:127.0.0.1]/x',
  ])('refuses the non-public literal %s', (url) => {
    expect(() => checkFetchableUrl(url, false)).toThrow(/non-public/);
  });

  it('refuses a host name that resolves to loopback, at connect time, without a request', async () => {
    const before = hits.length;
    const port = new URL(base).port;
    expect(await reason(safeGet(`https://localhost:${port}/file.txt`, strict))).toBe('non_public');
    expect(hits.length).toBe(before);
  });
});
