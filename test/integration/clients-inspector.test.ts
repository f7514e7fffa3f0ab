/**
 * MCP Inspector's CLI (`@modelcontextprotocol/inspector --cli`), from npm, against the bundle:
 * once with a session header (`--header "Authorization: Bearer <session>"`, what a person pastes
 * after signing in with a PAT), once in its OAuth mode: no header, the CLI discovers our
 * authorization server, registers, prints the authorization URL ("Please navigate to: ...") and
 * waits on its own loopback callback (`--callback-url http://127.0.0.1:0/...`: it binds a port the
 * OS picks and registers that exact URI); the person approves; the CLI exchanges the code and runs
 * the method. Each run is one process with its own HOME (its catalog and stored tokens).
 */
import { spawn } from 'node:child_process';
import { TOOL_NAMES } from '../../cloud/mcp/tool-names';
import { harness } from '../harness/env';
import { fakeAdmin, uniqueUserId } from '../helpers/airtable';
import { removeTempDir } from '../helpers/temp-dir';
import {
  browserHook,
  clientHome,
  consentAndReturn,
  INSPECTOR,
  installedVersion,
} from './clients-helpers';
import { baseWithTasks, patUser } from './mcp-http-helpers';

const h = harness();
const homes: string[] = [];
afterAll(() => homes.forEach(removeTempDir));

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI to the end; the process is killed if it outlives `timeoutMs`.
 */
function inspector(
  args: string[],
  extraEnv: Record<string, string> = {},
  timeoutMs = 90_000,
): Promise<CliRun> {
  const home = clientHome('inspector');
  homes.push(home.dir);
  const child = spawn(process.execPath, [INSPECTOR, '--cli', ...args], {
    cwd: home.dir,
    env: { ...home.env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `--format json` prints `{"result": ...}` on success. */
function json<T>(run: CliRun): T {
  if (run.code !== 0)
    throw new Error(`inspector exited ${run.code}: ${run.stderr.slice(-2000)}${run.stdout}`);
  return (JSON.parse(run.stdout) as { result: T }).result;
}

type ToolsList = { tools: { name: string }[] };
type CallResult = { isError?: boolean; structuredContent?: Record<string, unknown> };

describe(`MCP Inspector CLI ${installedVersion('@modelcontextprotocol/inspector')}`, () => {
  it('lists and calls tools with a session header', async () => {
    const { userId, session } = await patUser();
    const { baseId } = await baseWithTasks(userId, 2, 'Inspector base');
    const url = `${h.baseUrl}/mcp`;
    const header = ['--header', `Authorization: Bearer ${session}`, '--format', 'json'];

    const list = json<ToolsList>(await inspector([url, '--method', 'tools/list', ...header]));
    expect(list.tools.map((t) => t.name)).toEqual([...TOOL_NAMES]);

    const me = json<CallResult>(
      await inspector([url, '--method', 'tools/call', '--tool-name', 'whoami', ...header]),
    );
    expect(me.isError).toBeFalsy();
    expect(me.structuredContent).toMatchObject({ airtableUserId: userId, connection: 'pat' });

    const records = json<CallResult>(
      await inspector([
        url,
        '--method',
        'tools/call',
        '--tool-name',
        'list_records',
        '--tool-args-json',
        JSON.stringify({ baseId, table: 'Tasks' }),
        ...header,
      ]),
    );
    expect(records.structuredContent?.records).toHaveLength(2);

    // A wrong session: a clean 401 the CLI reports as needing authorization, not a crash.
    const refused = await inspector([
      url,
      '--method',
      'tools/list',
      '--header',
      'Authorization: Bearer not-a-session',
      '--stored-auth-only',
      '--format',
      'json',
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout + refused.stderr).toMatch(/auth|401|unauthori[sz]ed/i);
  }, 240_000);

  // Without a TTY the CLI runs interactive OAuth only when MCP_AUTO_OPEN_ENABLED=true; it then
  // opens the URL with the `open` package (xdg-open, hence $BROWSER: our hook).
  it('signs in with its OAuth mode and lists tools', async () => {
    const user = await fakeAdmin().createUser({ id: uniqueUserId() });
    const hook = await browserHook();
    try {
      const running = inspector(
        [
          `${h.baseUrl}/mcp`,
          '--method',
          'tools/list',
          '--callback-url',
          'http://127.0.0.1:0/oauth/callback',
          '--format',
          'json',
        ],
        {
          MCP_AUTO_OPEN_ENABLED: 'true',
          BROWSER: hook.browserCommand,
        },
      );
      const authUrl = await Promise.race([
        hook.next(60_000),
        running.then((r) => {
          throw new Error(`inspector exited ${r.code} before opening a browser: ${r.stderr}`);
        }),
      ]);
      expect(authUrl.searchParams.get('code_challenge_method')).toBe('S256');
      expect(authUrl.searchParams.get('resource')).toBe(`${h.baseUrl}/mcp`);
      expect(authUrl.searchParams.get('redirect_uri')).toMatch(
        /^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback$/,
      );
      const { landing, callbackStatus } = await consentAndReturn(authUrl, user.id);
      expect(landing.searchParams.get('iss')).toBe(h.baseUrl);
      expect(callbackStatus).toBeLessThan(400);
      const list = json<ToolsList>(await running);
      expect(list.tools.map((t) => t.name)).toEqual([...TOOL_NAMES]);
    } finally {
      await hook.close();
    }
  }, 240_000);
});
