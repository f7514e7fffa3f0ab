/**
 * The Web API client's default sender (cloud/airtable/http-sender.ts) against a local HTTP server:
 * what fetch did for us still happens (compressed answers decoded, the caller's signal covering
 * headers and body, connections reused), plus the body cap, and every failure is a clear error
 * with a code - never a hang, never the request's headers.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import zlib from 'node:zlib';
import { nodeHttpSender, SendError, type SendInit } from '../../cloud/airtable/http-sender';

const JSON_BODY = JSON.stringify({ records: [{ id: 'rec1', fields: { Name: 'é ü 日本' } }] });

let server: http.Server;
let base: string;
let connections = 0;
const sockets = new Set<Socket>();
let seen: { method?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

function init(over: Partial<SendInit> = {}): SendInit {
  return {
    method: 'GET',
    headers: { Authorization: 'Bearer patSECRET', Accept: 'application/json' },
    signal: new AbortController().signal,
    ...over,
  };
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      seen.push({ method: req.method, headers: req.headers, body });
      const url = req.url ?? '/';
      const json = { 'Content-Type': 'application/json' };
      if (url === '/plain') {
        res.writeHead(201, { ...json, 'Retry-After': '7', 'X-Multi': ['a', 'b'] });
        return res.end(JSON_BODY);
      }
      if (url === '/gzip') {
        res.writeHead(200, { ...json, 'Content-Encoding': 'gzip' });
        return res.end(zlib.gzipSync(JSON_BODY));
      }
      if (url === '/br') {
        res.writeHead(200, { ...json, 'Content-Encoding': 'br' });
        return res.end(zlib.brotliCompressSync(JSON_BODY));
      }
      if (url === '/deflate') {
        res.writeHead(200, { ...json, 'Content-Encoding': 'deflate' });
        return res.end(zlib.deflateSync(JSON_BODY));
      }
      if (url === '/bad-gzip') {
        res.writeHead(200, { ...json, 'Content-Encoding': 'gzip' });
        return res.end('this is not gzip at all');
      }
      if (url === '/zstd') {
        res.writeHead(200, { ...json, 'Content-Encoding': 'zstd' });
        return res.end('x');
      }
      if (url === '/bom') {
        res.writeHead(200, json);
        return res.end(`\ufeff${JSON_BODY}`);
      }
      if (url === '/big') {
        res.writeHead(200, json);
        return res.end('x'.repeat(5000));
      }
      if (url === '/stall') {
        // Headers and half a body, then nothing: only the caller's signal ends this.
        res.writeHead(200, { ...json, 'Content-Length': '1000' });
        return res.write('{"records":');
      }
      if (url === '/cut') {
        res.writeHead(200, { ...json, 'Content-Length': '1000' });
        res.write('{"records":');
        return setTimeout(() => res.socket?.destroy(), 20);
      }
      res.writeHead(404, json);
      res.end('{"error":"NOT_FOUND"}');
    });
  });
  server.on('connection', (s: Socket) => {
    connections += 1;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen = [];
});

test('sends the method, headers and body, asks for compression, and reads status, headers and text', async () => {
  const send = nodeHttpSender();
  const res = await send(
    `${base}/plain`,
    init({
      method: 'POST',
      headers: { Authorization: 'Bearer patSECRET', 'Content-Type': 'application/json' },
      body: '{"fields":{"Name":"日本"}}',
    }),
  );
  expect(res.status).toBe(201);
  expect(res.text).toBe(JSON_BODY);
  expect(res.header('retry-after')).toBe('7');
  expect(res.header('Retry-After')).toBe('7');
  expect(res.header('x-absent')).toBeNull();
  const req = seen[0]!;
  expect(req.method).toBe('POST');
  expect(req.headers.authorization).toBe('Bearer patSECRET');
  expect(req.headers['accept-encoding']).toBe('gzip, br');
  expect(req.headers['content-length']).toBe(String(Buffer.byteLength(req.body)));
  expect(req.body).toBe('{"fields":{"Name":"日本"}}');
});

test.each(['gzip', 'br', 'deflate'])('decodes a %s answer', async (coding) => {
  const res = await nodeHttpSender()(`${base}/${coding}`, init());
  expect(res.text).toBe(JSON_BODY);
});

test('drops a leading byte-order mark, as fetch text() does', async () => {
  expect((await nodeHttpSender()(`${base}/bom`, init())).text).toBe(JSON_BODY);
});

test('reuses one connection for requests in sequence, and a fresh one once the server closed it', async () => {
  const send = nodeHttpSender();
  const before = connections;
  await send(`${base}/plain`, init());
  await send(`${base}/gzip`, init());
  await send(`${base}/plain`, init());
  expect(connections - before).toBe(1);
  // The server drops idle connections (as a load balancer does): the next request still works.
  for (const s of sockets) s.destroy();
  await new Promise((r) => setTimeout(r, 50));
  expect((await send(`${base}/plain`, init())).status).toBe(201);
  expect(connections - before).toBe(2);
});

test('the caller signal ends a request whose answer stalls mid-body, with its reason', async () => {
  const controller = new AbortController();
  const reason = new Error('timed out');
  setTimeout(() => controller.abort(reason), 100);
  await expect(nodeHttpSender()(`${base}/stall`, init({ signal: controller.signal }))).rejects.toBe(
    reason,
  );
});

test('an already aborted signal sends nothing', async () => {
  const controller = new AbortController();
  controller.abort(new Error('cancelled'));
  await expect(
    nodeHttpSender()(`${base}/plain`, init({ signal: controller.signal })),
  ).rejects.toThrow('cancelled');
  expect(seen).toHaveLength(0);
});

async function failure(p: Promise<unknown>): Promise<SendError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SendError);
  const e = err as SendError;
  // The token never ends up in an error.
  expect(e.message).not.toContain('patSECRET');
  return e;
}

test('an answer larger than the cap fails instead of filling the memory', async () => {
  const e = await failure(nodeHttpSender({ maxResponseBytes: 1000 })(`${base}/big`, init()));
  expect(e.code).toBe('ERR_TOO_LARGE');
});

test('a connection cut mid-answer, a refused connection, bad or unknown encodings fail with a code', async () => {
  const send = nodeHttpSender();
  expect((await failure(send(`${base}/cut`, init()))).code).toBe('ECONNRESET');
  expect((await failure(send(`${base}/bad-gzip`, init()))).code).toBe('Z_DATA_ERROR');
  expect((await failure(send(`${base}/zstd`, init()))).code).toBe('ERR_ENCODING');
  // Port 1 (tcpmux): nothing listens there on these machines; no port is freed and raced for.
  expect((await failure(send('http://127.0.0.1:1/plain', init()))).code).toBe('ECONNREFUSED');
  expect((await failure(send('ftp://example.com/x', init()))).code).toBe('ERR_PROTOCOL');
});
