/**
 * Ports without races. A port found free and then closed (freePort) can be taken by anyone before
 * it is used - on a loaded machine running two test suites, it was. So:
 * - our own servers listen on port 0 and report the port the OS gave them (bindHttp, the fake);
 * - a child node process gets a socket already bound by its parent (reservePort + handOver:
 *   child_process's `send(message, server)`), so the parent knows the port before the child runs;
 * - programs we cannot hand a socket to (PostgreSQL, redis-server) get freePort() and are
 *   restarted on another port when they find it taken.
 */
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';

/** A port the OS reports free right now. Racy by nature: retry the start when it is taken. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

export interface ReservedPort {
  port: number;
  server: net.Server;
}

/** Binds a port (0: the OS picks) and keeps it bound until handed over or closed. */
export async function reservePort(port = 0): Promise<ReservedPort> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
  const addr = server.address();
  return { port: typeof addr === 'object' && addr ? addr.port : port, server };
}

/** The IPC message that carries the bound socket (scripts/dev/instance.ts waits for it). */
export const LISTEN_MESSAGE = 'airtable-mcp:listen';

/**
 * Sends the bound socket to `child` (spawned with an 'ipc' stdio entry), then closes the parent's
 * copy and the IPC channel: the child alone listens from then on.
 */
export async function handOver(child: ChildProcess, reserved: ReservedPort): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    child.send(LISTEN_MESSAGE, reserved.server, (err) => (err ? reject(err) : resolve())),
  );
  await new Promise<void>((resolve) => reserved.server.close(() => resolve()));
  child.disconnect();
}

/** In the child: the socket its parent handed over. */
export function receiveListener(timeoutMs = 30_000): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('no listening socket from the parent')),
      timeoutMs,
    );
    const onMessage = (msg: unknown, handle: unknown) => {
      if (msg !== LISTEN_MESSAGE || !(handle instanceof net.Server)) return;
      clearTimeout(timer);
      process.removeListener('message', onMessage);
      resolve(handle);
    };
    process.on('message', onMessage);
  });
}
