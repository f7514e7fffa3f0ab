/**
 * Real MCP clients from npm (mcp-remote, MCP Inspector's CLI, the AI SDK) driven against the
 * running bundle. Each client process gets a HOME and TMPDIR of its own inside the run's folder
 * (they keep tokens and catalogs there: ~/.mcp-auth, ~/.mcp-inspector), and the person's part of
 * OAuth - our consent page, Airtable's consent, the redirect back to the client's loopback
 * callback - is played with plain HTTP and a cookie jar (oauth-e2e-helpers.ts approveInBrowser).
 */
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { harness } from '../harness/env';
import { TestBrowser } from '../helpers/browser';
import { ROOT } from '../helpers/node-script';
import { tempDir } from '../helpers/temp-dir';
import { approveInBrowser } from './oauth-e2e-helpers';

export const NODE_MODULES = path.join(ROOT, 'node_modules');
export const MCP_REMOTE = path.join(NODE_MODULES, 'mcp-remote', 'dist', 'proxy.js');
export const INSPECTOR = path.join(
  NODE_MODULES,
  '@modelcontextprotocol',
  'inspector',
  'clients',
  'launcher',
  'build',
  'index.js',
);
export const BROWSER_HOOK = path.join(ROOT, 'test', 'fixtures', 'browser-hook.cjs');

export function installedVersion(pkg: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a JSON file, read once
  return (require(path.join(NODE_MODULES, pkg, 'package.json')) as { version: string }).version;
}

/** A home of its own for one client process: nothing it stores lands in the real HOME. */
export function clientHome(prefix: string): { dir: string; env: Record<string, string> } {
  const dir = tempDir(prefix);
  const tmp = path.join(dir, 'tmp');
  mkdirSync(tmp);
  return {
    dir,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dir,
      TMPDIR: tmp,
      XDG_CONFIG_HOME: path.join(dir, '.config'),
      XDG_DATA_HOME: path.join(dir, '.local', 'share'),
      NO_COLOR: '1',
    },
  };
}

/**
 * The "browser" a client opens: a listener on a port the OS picks; browser-hook.cjs posts each
 * authorization URL here. `next()` resolves with the next URL opened.
 */
export async function browserHook(): Promise<{
  url: string;
  /** BROWSER for a client whose opener is xdg-open (it runs `$BROWSER <url>`). */
  browserCommand: string;
  next(timeoutMs?: number): Promise<URL>;
  close(): Promise<void>;
}> {
  const opened: URL[] = [];
  let waiter: ((u: URL) => void) | undefined;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      res.end('ok');
      const url = new URL(body.trim());
      if (waiter) {
        const w = waiter;
        waiter = undefined;
        w(url);
      } else opened.push(url);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/open`,
    browserCommand: `${process.execPath} ${BROWSER_HOOK} ${port}`,
    next(timeoutMs = 60_000) {
      const queued = opened.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise<URL>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('the client never opened a browser')),
          timeoutMs,
        );
        waiter = (u) => {
          clearTimeout(timer);
          resolve(u);
        };
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A client may open the browser before its loopback callback listens (mcp-remote starts its
 * callback server on demand, while the browser is already on its way): a person takes seconds to
 * approve, this test milliseconds. So the "browser" retries a refused connection for a while, as
 * a person reloading the page would; any other failure, or 30 s of refusals, fails the test.
 */
async function fetchLoopbackCallback(landing: URL): Promise<Response> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await fetch(landing, { redirect: 'manual' });
    } catch (err) {
      const code = (err as { cause?: { code?: string } }).cause?.code;
      if (code !== 'ECONNREFUSED' || Date.now() > deadline)
        throw new Error(`${(err as Error).message} (${landing.origin}${landing.pathname})`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/**
 * The person's whole part: approves the authorization URL the client opened (our consent page,
 * Airtable's), then follows the redirect to the client's own loopback callback, as a browser
 * would. Returns the landing URL (code, state, iss) and what the client's callback answered.
 */
export async function consentAndReturn(
  authorizationUrl: URL,
  airtableUserId: string,
  browser = new TestBrowser(),
): Promise<{ landing: URL; consentHtml: string; callbackStatus: number }> {
  let start = authorizationUrl;
  // Reached through a loopback alias of PUBLIC_URL (127.0.0.1 for localhost), /authorize first
  // moves the browser to the canonical origin, where its cookies and Airtable's redirect URI live.
  if (start.origin !== new URL(harness().baseUrl).origin) {
    const moved = await browser.fetch(start.toString());
    if (moved.status !== 302 || !moved.location)
      throw new Error(`/authorize on ${start.origin} answered ${moved.status}: ${moved.text}`);
    start = new URL(moved.location);
  }
  const { html, landing } = await approveInBrowser(start, airtableUserId, browser);
  const back = await fetchLoopbackCallback(landing);
  await back.text();
  return { landing, consentHtml: html, callbackStatus: back.status };
}
