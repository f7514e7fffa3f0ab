/**
 * `npm run schema:apply` against the real test stack. The shared classes are only read (`--check`)
 * - changing their CLPs would break the other test files running on the same stack - so the
 * drift scenarios run on copies of schema/ under unique class names in a temporary schema folder.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { harness, parseRest } from '../harness/env';
import {
  loadSchemaDir,
  main,
  parseSchemaFlags,
  refusedKeyMessage,
  resolveTarget,
} from '../../scripts/schema/schema-apply';
import { ROOT } from '../../scripts/deploy/back4app-config';
import { scriptCommand } from '../helpers/node-script';
import { removeTempDir, tempDir } from '../helpers/temp-dir';

const h = harness();
const serverUrl = `${h.baseUrl}/parse`;
const master = { 'X-Parse-Master-Key': h.masterKey };
const env = { PARSE_SERVER_URL: serverUrl, PARSE_APP_ID: h.appId, PARSE_MASTER_KEY: h.masterKey };

/** Runs main() in-process, returning its exit code and everything it printed. */
async function run(args: string[], extraEnv: Record<string, string> = env) {
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((s: unknown) => lines.push(String(s)));
  const err = jest
    .spyOn(console, 'error')
    .mockImplementation((s: unknown) => lines.push(String(s)));
  try {
    const code = await main(args, extraEnv, ROOT);
    return { code, output: lines.join('\n') };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

describe('schema:apply on the shared classes', () => {
  it('--check exits 0 through the real CLI (as npm runs it) with credentials from the environment', async () => {
    // Asynchronous on purpose: with one test file Jest runs in the process that hosts the stack.
    const [command, args] = scriptCommand('scripts/schema/schema-apply.ts', ['--check']);
    const res = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve) => {
        execFile(
          command,
          args,
          { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } },
          (error, stdout, stderr) =>
            resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
        );
      },
    );
    expect(res.stderr).toBe('');
    const names = loadSchemaDir(path.join(ROOT, 'schema')).map((d) => d.className);
    expect(res.stdout).toContain(`schema in sync (${names.join(', ')})`);
    expect(res.code).toBe(0);
  });

  it('refuses a wrong master key with exit 2, without printing any key', async () => {
    const wrong = 'wrong-master-key-0123456789';
    const { code, output } = await run(['--check'], { ...env, PARSE_MASTER_KEY: wrong });
    expect(code).toBe(2);
    expect(output).toMatch(/refused the master key/);
    expect(output).not.toContain(wrong);
    expect(output).not.toContain(h.masterKey);
  });
});

describe('schema:apply on copies of schema/ (drift and repair)', () => {
  const prefix = `SA${Date.now().toString(36)}_`;
  const dir = tempDir('schema-apply');
  const defs = loadSchemaDir(path.join(ROOT, 'schema')).map((d) => ({
    ...d,
    className: `${prefix}${d.className}`,
  }));
  mkdirSync(dir, { recursive: true });
  for (const d of defs) writeFileSync(path.join(dir, `${d.className}.json`), JSON.stringify(d));
  const state = `${prefix}OAuthState`;
  const flags = ['--schema-dir', dir];

  afterAll(async () => {
    for (const d of defs) {
      const rows = await parseRest('GET', `classes/${d.className}?limit=1000`, master);
      for (const r of (rows.json.results as { objectId: string }[] | undefined) ?? [])
        await parseRest('DELETE', `classes/${d.className}/${r.objectId}`, master);
      await parseRest('DELETE', `schemas/${d.className}`, master);
    }
    removeTempDir(dir);
  });

  it('creates the missing classes locked, then has nothing to do', async () => {
    const first = await run(flags);
    expect(first.code).toBe(0);
    for (const d of defs) expect(first.output).toContain(`${d.className}: create-class`);
    expect((await run([...flags, '--check'])).code).toBe(0);
    const again = await run(flags);
    expect(again.code).toBe(0);
    expect(again.output).toContain('nothing to change');
  });

  it('--check names a CLP opened by hand and apply locks it again', async () => {
    const opened = await parseRest('PUT', `schemas/${state}`, master, {
      classLevelPermissions: {
        ...defs.find((d) => d.className === state)!.classLevelPermissions,
        find: { '*': true },
      },
    });
    expect(opened.status).toBe(200);
    const check = await run([...flags, '--check']);
    expect(check.code).toBe(1);
    expect(check.output).toContain(`${state}: CLP find is {"*":true}, expected {}`);

    const apply = await run(flags);
    expect(apply.code).toBe(0);
    expect(apply.output).toContain(`${state}: set-clp`);
    const schema = await parseRest('GET', `schemas/${state}`, master);
    expect((schema.json.classLevelPermissions as Record<string, unknown>).find).toEqual({});
    expect((await run([...flags, '--check'])).code).toBe(0);
  });

  it('adds a dropped field and index back', async () => {
    expect(
      (
        await parseRest('PUT', `schemas/${state}`, master, {
          indexes: { state_1: { __op: 'Delete' } },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await parseRest('PUT', `schemas/${state}`, master, {
          fields: { data: { __op: 'Delete' } },
        })
      ).status,
    ).toBe(200);
    const check = await run([...flags, '--check']);
    expect(check.code).toBe(1);
    expect(check.output).toContain(`${state}: field data is missing`);
    expect(check.output).toContain(`${state}: index state_1 is missing`);

    const apply = await run(flags);
    expect(apply.code).toBe(0);
    expect(apply.output).toContain(`${state}: add-fields (data)`);
    expect(apply.output).toContain(`${state}: add-indexes (state_1)`);
    const schema = await parseRest('GET', `schemas/${state}`, master);
    expect((schema.json.fields as Record<string, unknown>).data).toEqual({ type: 'String' });
    expect(Object.keys(schema.json.indexes as object)).toContain('state_1');
    expect((await run([...flags, '--check'])).code).toBe(0);
  });

  it('drops nothing: extra fields, indexes and rows survive apply', async () => {
    await parseRest('PUT', `schemas/${state}`, master, {
      fields: { extra_note: { type: 'String' } },
    });
    await parseRest('PUT', `schemas/${state}`, master, {
      indexes: { extra_note_1: { extra_note: 1 } },
    });
    const row = await parseRest('POST', `classes/${state}`, master, {
      state: 'kept',
      extra_note: 'kept too',
    });
    expect(row.status).toBe(201);
    // Open a CLP too, so that apply really writes to the class.
    await parseRest('PUT', `schemas/${state}`, master, {
      classLevelPermissions: {
        ...defs.find((d) => d.className === state)!.classLevelPermissions,
        count: { '*': true },
      },
    });

    const apply = await run(flags);
    expect(apply.code).toBe(0);
    const schema = await parseRest('GET', `schemas/${state}`, master);
    expect((schema.json.fields as Record<string, unknown>).extra_note).toEqual({ type: 'String' });
    expect(Object.keys(schema.json.indexes as object)).toEqual(
      expect.arrayContaining(['extra_note_1', 'state_1', 'expires_at_1']),
    );
    const got = await parseRest('GET', `classes/${state}/${String(row.json.objectId)}`, master);
    expect(got.json).toMatchObject({ state: 'kept', extra_note: 'kept too' });
  });
});

describe('credential resolution', () => {
  const root = tempDir('schema-target');
  const keys = (dir: string, appId: string, masterKey: string) => {
    mkdirSync(path.join(root, dir), { recursive: true });
    writeFileSync(
      path.join(root, dir, 'dev-secrets.json'),
      JSON.stringify({ PARSE_APP_ID: appId, PARSE_MASTER_KEY: masterKey }),
    );
  };
  /** What npm start writes while it runs (this test process stands in for it: its pid is alive). */
  const running = (dir: string, port: number, sandbox: boolean) =>
    writeFileSync(
      path.join(root, dir, 'server.json'),
      JSON.stringify({
        pid: process.pid,
        url: `http://localhost:${port}`,
        parseServerUrl: `http://localhost:${port}/parse`,
        sandbox,
        startedAt: new Date().toISOString(),
      }),
    );
  keys('.data', 'local-app', 'local-master-key');
  keys('.data/sandbox', 'sandbox-app', 'sandbox-master-key');
  const defaults = { serverUrl: 'https://parseapi.back4app.com', appId: undefined };
  const flags = (...argv: string[]) => parseSchemaFlags(argv);
  afterAll(() => removeTempDir(root));

  it('uses the development secrets for the local stack only', () => {
    const local = resolveTarget(flags('--local'), { PORT: '9999' }, root, defaults);
    expect(local).toEqual({
      serverUrl: 'http://localhost:9999/parse',
      appId: 'local-app',
      masterKey: 'local-master-key',
      keySource: '.data/dev-secrets.json',
      otherKeysFile: { path: '.data/sandbox/dev-secrets.json', flag: '--sandbox' },
    });
    expect(() => resolveTarget(flags(), {}, root, defaults)).toThrow(
      /Missing the app id .* and the master key .* for https:\/\/parseapi.back4app.com/,
    );
  });

  it("--sandbox uses the sandbox's keys; --local picks the sandbox when only it runs, and says so", () => {
    expect(resolveTarget(flags('--sandbox'), { PORT: '9999' }, root, defaults)).toMatchObject({
      serverUrl: 'http://localhost:9999/parse',
      appId: 'sandbox-app',
      masterKey: 'sandbox-master-key',
      keySource: '.data/sandbox/dev-secrets.json',
    });
    running('.data/sandbox', 8123, true);
    const detected = resolveTarget(flags('--check', '--local'), {}, root, defaults);
    expect(detected).toMatchObject({
      serverUrl: 'http://localhost:8123/parse',
      masterKey: 'sandbox-master-key',
      note: 'Using the running sandbox (.data/sandbox).',
    });
    // Both running: --local means npm start's, on the port it really uses.
    running('.data', 8124, false);
    expect(resolveTarget(flags('--local'), {}, root, defaults)).toMatchObject({
      serverUrl: 'http://localhost:8124/parse',
      masterKey: 'local-master-key',
    });
  });

  it("a refused key names the file it came from and the other server's file", () => {
    const t = resolveTarget(flags('--local'), {}, root, defaults);
    expect(refusedKeyMessage(t, 403)).toBe(
      'http://localhost:8124/parse refused the master key from .data/dev-secrets.json (403). ' +
        'Is it the server you meant? The other local server keeps its keys in ' +
        '.data/sandbox/dev-secrets.json (use --sandbox).',
    );
    const remote = resolveTarget(
      flags('--server-url', 'https://example.test/parse', '--app-id', 'a', '--master-key', 'k'),
      {},
      root,
      defaults,
    );
    expect(refusedKeyMessage(remote, 401)).toMatch(
      /^https:\/\/example.test\/parse refused the master key from --master-key \(401\)\. .*masterKeyIps/,
    );
  });

  it('prefers flags, then the environment, then .env; .env.example placeholders count as unset', () => {
    writeFileSync(
      path.join(root, '.env'),
      'PARSE_APP_ID=from-dotenv\nPARSE_MASTER_KEY=your_parse_master_key\n',
    );
    const t = resolveTarget(
      flags('--master-key', 'flag-k'),
      { PARSE_SERVER_URL: 'https://example.test/parse/' },
      root,
      defaults,
    );
    expect(t).toMatchObject({
      serverUrl: 'https://example.test/parse',
      appId: 'from-dotenv',
      masterKey: 'flag-k',
      keySource: '--master-key',
    });
    expect(() =>
      resolveTarget(flags(), { PARSE_SERVER_URL: 'https://example.test/parse' }, root, defaults),
    ).toThrow(/Missing the master key/);
  });
});
