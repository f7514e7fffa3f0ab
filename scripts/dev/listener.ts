/**
 * The HTTP port, bound first and held for the whole start-up. Binding before anything else means
 * a busy PORT fails at once (not after the build and the database), a port chosen by the OS
 * (PORT=0) is known before the bundle reads PUBLIC_URL, and nobody can take the port between
 * "it is free" and "we listen" (the race the tests hit with freePort()).
 *
 * Until the product is ready, every request gets 503 {"status":"starting"} from here; the routes
 * (and their access log, which reports 5xx as warnings) see no request before /health is 200.
 */
import http from 'node:http';
import type net from 'node:net';

export class PortInUseError extends Error {
  override name = 'PortInUseError';
  constructor(readonly port: number) {
    super(`Port ${port} is in use: stop what uses it or set PORT to a free port.`);
  }
}

export interface EarlyServer {
  server: http.Server;
  /** The port actually bound (the OS's choice when 0 was asked for). */
  port: number;
  /** Hands every later request to `handler` (the Express app, once ready). */
  serve(handler: http.RequestListener): void;
  close(): Promise<void>;
}

const starting: http.RequestListener = (_req, res) => {
  res.writeHead(503, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    'Retry-After': '1',
  });
  res.end('{"status":"starting"}');
};

/**
 * Listens on `target`: a port number (0: any free port), or a listening net.Server handed over by
 * a parent process (child_process `send(message, server)`), whose socket is taken over as is.
 */
export async function bindHttp(target: number | net.Server): Promise<EarlyServer> {
  let handler = starting;
  const server = http.createServer((req, res) => handler(req, res));
  // Idle keep-alive connections are closed by the client, never by us: when the server closes one
  // after its keepAliveTimeout (5 s) while the client reuses it, the request fails with "other
  // side closed" - on a loaded machine, where a second of lag is common, that happened in the
  // tests. With 0 the server sends no Keep-Alive hint and sets no idle timeout; clients (undici:
  // 4 s) drop idle sockets themselves, and stop() closes whatever is left.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE' && typeof target === 'number' ? new PortInUseError(target) : err,
      ),
    );
    server.listen(target, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    server,
    port,
    serve: (h) => {
      handler = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
