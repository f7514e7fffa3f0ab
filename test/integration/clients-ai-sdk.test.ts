/**
 * The Vercel AI SDK's MCP client (@ai-sdk/mcp: createMCPClient, also exported as
 * experimental_createMCPClient), from npm, against the bundle: with a session header, and with
 * its own OAuth client provider (discovery, dynamic registration, PKCE, `resource`, our consent
 * page and Airtable's, the code back to the application's loopback callback, `auth()` for the
 * tokens). The SDK is ESM only, so it runs in a node process of its own:
 * test/fixtures/ai-sdk-client.mjs.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { TOOL_NAMES } from '../../cloud/mcp/tool-names';
import { harness } from '../harness/env';
import { fakeAdmin, uniqueUserId } from '../helpers/airtable';
import { ROOT } from '../helpers/node-script';
import { removeTempDir } from '../helpers/temp-dir';
import { browserHook, clientHome, consentAndReturn, installedVersion } from './clients-helpers';
import { baseWithTasks, patUser } from './mcp-http-helpers';

const h = harness();
const SCRIPT = path.join(ROOT, 'test', 'fixtures', 'ai-sdk-client.mjs');
const homes: string[] = [];
afterAll(() => homes.forEach(removeTempDir));

interface CallOutcome {
  ok?: { isError?: boolean; structuredContent?: Record<string, unknown> };
  error?: { message: string; code?: number };
}
interface AppOutput {
  tools: string[];
  aiTools: string[];
  calls: CallOutcome[];
  authorizationUrl?: string;
}

function runApp(env: Record<string, string>, timeoutMs = 90_000): Promise<AppOutput> {
  const home = clientHome('ai-sdk');
  homes.push(home.dir);
  const child = spawn(process.execPath, [SCRIPT], {
    cwd: home.dir,
    env: { ...home.env, AI_SDK_MCP_URL: `${h.baseUrl}/mcp`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`the AI SDK app exited ${code}: ${stderr}${stdout}`));
      else resolve(JSON.parse(stdout) as AppOutput);
    });
  });
}

describe(`AI SDK MCP client (@ai-sdk/mcp ${installedVersion('@ai-sdk/mcp')})`, () => {
  it('lists tools, turns them into AI SDK tools and calls them with a session header', async () => {
    const { userId, session } = await patUser();
    const { baseId } = await baseWithTasks(userId, 3, 'AI SDK base');
    const out = await runApp({
      AI_SDK_BEARER: session,
      AI_SDK_CALLS: JSON.stringify([
        { name: 'whoami' },
        { name: 'list_records', arguments: { baseId, table: 'Tasks' } },
        { name: 'no_such_tool' },
      ]),
    });
    expect(out.tools).toEqual([...TOOL_NAMES]);
    expect(out.aiTools.sort()).toEqual([...TOOL_NAMES].sort());
    const [me, records, unknown] = out.calls;
    expect(me?.ok?.structuredContent).toMatchObject({ airtableUserId: userId, connection: 'pat' });
    expect(records?.ok?.structuredContent?.records).toHaveLength(3);
    expect(unknown?.error?.message).toMatch(/Unknown tool: no_such_tool/);
  }, 180_000);

  it('signs in with its OAuth client provider and calls a tool', async () => {
    const user = await fakeAdmin().createUser({ id: uniqueUserId() });
    const hook = await browserHook();
    try {
      const running = runApp({
        AI_SDK_BROWSER_HOOK: hook.url,
        AI_SDK_CALLS: JSON.stringify([{ name: 'whoami' }]),
      });
      running.catch(() => {}); // awaited below
      const authUrl = await Promise.race([
        hook.next(60_000),
        running.then(() => {
          throw new Error('the AI SDK app finished without opening a browser');
        }),
      ]);
      expect(authUrl.searchParams.get('code_challenge_method')).toBe('S256');
      expect(authUrl.searchParams.get('resource')).toBe(`${h.baseUrl}/mcp`);
      const { landing, consentHtml, callbackStatus } = await consentAndReturn(authUrl, user.id);
      expect(consentHtml).toContain('AI SDK test app');
      expect(landing.searchParams.get('iss')).toBe(h.baseUrl);
      expect(callbackStatus).toBe(200);
      const out = await running;
      expect(out.tools).toEqual([...TOOL_NAMES]);
      expect(out.calls[0]?.ok?.structuredContent).toMatchObject({
        airtableUserId: user.id,
        connection: 'oauth',
      });
    } finally {
      await hook.close();
    }
  }, 180_000);
});
