/**
 * `npm run start:sandbox` (npm -> scripts/dev/start.ts --sandbox): the real server against the fake
 * Airtable with its sample bases. The banner's PATs work with `POST /api/auth/direct`, the tools
 * see the sample bases, "Connect with Airtable" leads to the fake's labelled consent page, the data
 * and keys live in DATA_DIR/sandbox, `schema:apply --check --local` finds the sandbox by itself,
 * and SIGTERM to npm stops the server, its PostgreSQL and the fake. Ports: all chosen by the OS.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { scriptCommand, ROOT } from '../helpers/node-script';
import { spawnStart, waitAllGone, type StartProcess } from '../helpers/start-process';
import { removeTempDir, tempDir } from '../helpers/temp-dir';

jest.setTimeout(180_000);

let dir: string;
let base: string;
let fakeUrl: string;
let proc: StartProcess | undefined;
const url = () => base;

beforeAll(async () => {
  dir = tempDir('sandbox');
  proc = spawnStart({ PORT: '0', DATA_DIR: dir, LOG_LEVEL: 'warn' }, ['--sandbox']);
  base = await proc.ready();
  fakeUrl = /Fake Airtable: +(http:\/\/\S+)/.exec(proc.stdout())![1]!;
});

afterAll(async () => {
  proc?.kill();
  await proc?.exited;
  removeTempDir(dir);
});

/** The PAT printed under a sample user in the banner. */
function patOf(userId: string): string {
  const m = new RegExp(`${userId}\\s+PAT: (pat\\S+)`).exec(proc!.stdout());
  if (!m) throw new Error(`no PAT for ${userId} in:\n${proc!.stdout()}`);
  return m[1]!;
}

describe('npm run start:sandbox', () => {
  it('prints one block: sandbox, URL to open, sample users with PATs, the fake, the data folder', () => {
    const out = proc!.stdout();
    expect(out).toContain('SANDBOX - Airtable here is a local fake with sample bases');
    expect(out).toContain(`Open:            ${url()}/`);
    expect(fakeUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(out).toContain(`curl -X POST ${url()}/api/auth/direct -d "api_key=pat`);
    expect(out).toContain(`Data:            ${path.relative(ROOT, path.join(dir, 'sandbox'))} `);
    for (const id of ['usrSandboxAlice01', 'usrSandboxBob0001'])
      expect(patOf(id)).toMatch(/^pat[A-Za-z0-9]{14}\.[0-9a-f]{64}$/);
  });

  it("a printed PAT signs in, and the tools see that user's sample bases", async () => {
    const res = await fetch(`${url()}/api/auth/direct`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `api_key=${patOf('usrSandboxAlice01')}&platform=other`,
    });
    expect(res.status).toBe(200);
    const session = (await res.json()) as { session_id: string; user_id: string };
    expect(session.user_id).toBe('usrSandboxAlice01');
    const mcp = await fetch(`${url()}/mcp`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        Authorization: `Bearer ${session.session_id}`,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'list_bases', arguments: {} },
      }),
    });
    expect(mcp.status).toBe(200);
    const text = await mcp.text();
    expect(text).toContain('Sandbox CRM');
    expect(text).not.toContain("Bob's private notes");
  });

  it('says SANDBOX on our home page, and "Connect with Airtable" leads to the labelled fake', async () => {
    const home = await (await fetch(`${url()}/`)).text();
    expect(home).toContain('<p class="sandbox" id="sandbox-notice">SANDBOX');
    const start = await fetch(`${url()}/auth/authorize?platform=other`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const consentUrl = start.headers.get('location')!;
    expect(consentUrl.startsWith(`${fakeUrl}/oauth2/v1/authorize?`)).toBe(true);
    const consent = await (await fetch(consentUrl)).text();
    expect(consent).toContain('Airtable SANDBOX - this is not Airtable');
    expect(consent).toContain('usrSandboxAlice01');
  });

  it('keeps its database in DATA_DIR/sandbox, apart from npm start', () => {
    expect(existsSync(path.join(dir, 'sandbox', 'postgres', 'PG_VERSION'))).toBe(true);
    expect(existsSync(path.join(dir, 'sandbox', 'dev-secrets.json'))).toBe(true);
    expect(existsSync(path.join(dir, 'postgres'))).toBe(false);
  });

  it('schema:apply --check --local finds the running sandbox and its keys', async () => {
    const [command, args] = scriptCommand('scripts/schema/schema-apply.ts', ['--check', '--local']);
    const res = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        command,
        args,
        { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dir } },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      ),
    );
    expect(res).toMatchObject({ code: 0, stderr: '' });
    // Shown relative to the project (the test's DATA_DIR is inside it, under .data/tmp).
    const shown = path.relative(ROOT, path.join(dir, 'sandbox'));
    expect(res.stdout).toContain(`Using the running sandbox (${shown}).`);
    expect(res.stdout).toContain(`${url()}/parse (app airtable-mcp-local): schema in sync`);
  });

  it('SIGTERM to npm stops the server, its PostgreSQL and the fake', async () => {
    const lockFile = path.join(dir, 'sandbox', 'postgres', 'postmaster.pid');
    const tree = proc!.tree();
    process.kill(proc!.child.pid!, 'SIGTERM');
    await proc!.exited;
    expect(await waitAllGone([proc!.child.pid!, ...tree])).toEqual([]);
    expect(proc!.stderr()).not.toMatch(/uncaught|Stack Trace|rror/i);
    expect(existsSync(lockFile)).toBe(false);
    expect(existsSync(path.join(dir, 'sandbox', 'server.json'))).toBe(false);
    await expect(fetch(`${fakeUrl}/`)).rejects.toThrow();
  });
});
