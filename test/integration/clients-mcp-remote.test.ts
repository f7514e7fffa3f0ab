/**
 * mcp-remote (what Claude Desktop runs for a remote server), from npm, over its stdio, against the
 * bundle - with no header at all: it finds our authorization server (RFC 9728, RFC 8414),
 * registers (RFC 7591), opens the browser on /authorize with PKCE (RFC 7636) and `resource`
 * (RFC 8707); the person approves our consent page and Airtable's; its loopback callback gets the
 * code; then tools/list and tools/call go through it. Once by http://localhost:PORT/mcp and once by
 * http://127.0.0.1:PORT/mcp of the same stack: mcp-remote refuses protected resource metadata
 * whose `resource` differs from the URL it was given (RFC 9728 section 3.3).
 *
 * The browser: mcp-remote opens URLs with xdg-open, which runs $BROWSER; ours is
 * test/fixtures/browser-hook.cjs, which hands the URL to this test.
 */
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { TOOL_NAMES } from '../../cloud/mcp/tool-names';
import { harness } from '../harness/env';
import { fakeAdmin, uniqueUserId } from '../helpers/airtable';
import { waitAllGone } from '../helpers/start-process';
import { removeTempDir } from '../helpers/temp-dir';
import {
  browserHook,
  clientHome,
  consentAndReturn,
  installedVersion,
  MCP_REMOTE,
} from './clients-helpers';
import { baseWithTasks, ok } from './mcp-http-helpers';

const h = harness();
const port = new URL(h.baseUrl).port;
const homes: string[] = [];
afterAll(() => homes.forEach(removeTempDir));

async function connectThroughMcpRemote(origin: string) {
  const user = await fakeAdmin().createUser({ id: uniqueUserId() });
  const { baseId } = await baseWithTasks(user.id, 1, `mcp-remote base on ${origin}`);
  const hook = await browserHook();
  const home = clientHome('mcp-remote');
  homes.push(home.dir);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [MCP_REMOTE, `${origin}/mcp`],
    cwd: home.dir,
    env: {
      ...home.env,
      MCP_REMOTE_CONFIG_DIR: path.join(home.dir, '.mcp-auth'),
      BROWSER: hook.browserCommand,
    },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-6000)));
  const client = new Client({ name: 'mcp-remote-test', version: '1.0.0' });
  try {
    const connecting = client.connect(transport, { timeout: 90_000 });
    connecting.catch(() => {}); // awaited below; reported with mcp-remote's stderr
    const authUrl = await hook.next(60_000).catch((err: Error) => {
      throw new Error(`${err.message}; mcp-remote said:\n${stderr}`);
    });
    // What mcp-remote asks for: PKCE S256, our resource as the name it was given, a loopback
    // callback of its own.
    expect(`${authUrl.origin}${authUrl.pathname}`).toBe(`${origin}/authorize`);
    expect(authUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authUrl.searchParams.get('resource')).toBe(`${origin}/mcp`);
    const redirect = new URL(authUrl.searchParams.get('redirect_uri')!);
    expect(['localhost', '127.0.0.1']).toContain(redirect.hostname);

    const { landing, consentHtml, callbackStatus } = await consentAndReturn(authUrl, user.id).catch(
      (err: Error) => {
        throw new Error(`${err.message}; mcp-remote said:\n${stderr}`);
      },
    );
    expect(consentHtml).toContain('running on your own computer');
    expect(landing.searchParams.get('iss')).toBe(origin);
    expect(callbackStatus).toBeLessThan(400);
    await connecting.catch((err: Error) => {
      throw new Error(`${err.message}; mcp-remote said:\n${stderr}`);
    });

    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual([...TOOL_NAMES]);
    const me = await ok<{ airtableUserId: string; connection: string }>(client, 'whoami');
    expect(me).toMatchObject({ airtableUserId: user.id, connection: 'oauth' });
    const { records } = await ok<{ records: unknown[] }>(client, 'list_records', {
      baseId,
      table: 'Tasks',
    });
    expect(records).toHaveLength(1);
    // An unknown tool is a JSON-RPC error (-32602), passed through mcp-remote unchanged.
    await expect(client.callTool({ name: 'no_such_tool', arguments: {} })).rejects.toMatchObject({
      code: -32602,
    });
  } finally {
    const pid = transport.pid;
    await client.close();
    await hook.close();
    if (pid) expect(await waitAllGone([pid], 10_000)).toEqual([]);
  }
}

describe(`mcp-remote ${installedVersion('mcp-remote')}`, () => {
  it('connects by http://localhost:PORT/mcp with OAuth and no header', async () => {
    await connectThroughMcpRemote(`http://localhost:${port}`);
  }, 180_000);

  it('connects by http://127.0.0.1:PORT/mcp of the same stack', async () => {
    await connectThroughMcpRemote(`http://127.0.0.1:${port}`);
  }, 180_000);
});
