/**
 * `npm run deploy` drives `b4a deploy` from dist/ with .parse.local and .parse.project in place;
 * the b4a here is a test double (test/fixtures/fake-b4a/b4a.js) that records its calls.
 */
import {
  copyFileSync,
  cpSync,
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { harness } from '../harness/env';
import { loadBack4AppConfig, ROOT } from '../../scripts/deploy/back4app-config';
import { deploy, main } from '../../scripts/deploy/deploy';

interface B4aCall {
  args: string[];
  cwd: string;
  home: string;
  parseLocal: string | null;
  parseProject: string | null;
  hasMainJs: boolean;
  hasAppJs: boolean;
  accountKeyInEnv: boolean;
  stdinKeyLength?: number;
  netrcPresent?: boolean;
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'deploy-b4a-'));
const bin = path.join(tmp, 'bin');
mkdirSync(bin);
copyFileSync(path.join(ROOT, 'test/fixtures/fake-b4a/b4a.js'), path.join(bin, 'b4a'));
chmodSync(path.join(bin, 'b4a'), 0o755);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const config = {
  ...loadBack4AppConfig(),
  appName: 'my-airtable-mcp',
  applicationId: 'AbCdEf0123456789',
  webHostingSubdomain: 'my-airtable-mcp',
};
const ACCOUNT_KEY = 'test-account-key-0123456789';

let n = 0;
/** A fresh project folder holding a copy of the bundle the harness built, plus HOME and log. */
function setup() {
  const dir = path.join(tmp, `run${++n}`);
  cpSync(harness().distDir, path.join(dir, 'dist'), { recursive: true });
  mkdirSync(path.join(dir, 'home'));
  return {
    dir,
    distDir: path.join(dir, 'dist'),
    home: path.join(dir, 'home'),
    log: path.join(dir, 'b4a.log'),
  };
}

async function runDeploy(
  s: ReturnType<typeof setup>,
  env: NodeJS.ProcessEnv,
  extra: { force?: boolean; cfg?: typeof config } = {},
) {
  const lines: string[] = [];
  const code = await deploy({
    config: extra.cfg ?? config,
    rootDir: s.dir,
    distDir: s.distDir,
    env: {
      PATH: `${bin}${path.delimiter}${process.env.PATH}`,
      HOME: s.home,
      FAKE_B4A_LOG: s.log,
      ...env,
    },
    skipBuild: true,
    ...(extra.force ? { force: true } : {}),
    out: (l) => lines.push(l),
  });
  const calls = existsSync(s.log)
    ? readFileSync(s.log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as B4aCall)
    : [];
  return { code, output: lines.join('\n'), calls };
}

const expectedParseLocal = {
  applications: {
    'my-airtable-mcp': { applicationId: 'AbCdEf0123456789' },
    _default: { link: 'my-airtable-mcp' },
  },
};

describe('npm run deploy with b4a on the PATH', () => {
  it('runs b4a deploy from dist/ with the project files in place (B4A_ACCOUNT_KEY)', async () => {
    const s = setup();
    const { code, output, calls } = await runDeploy(s, { B4A_ACCOUNT_KEY: ACCOUNT_KEY });
    expect(code).toBe(0);
    expect(calls.map((c) => c.args)).toEqual([['configure', 'accountkey', '-d'], ['deploy']]);
    const [configure, deployCall] = calls as [B4aCall, B4aCall];
    // The key went in on stdin under a throwaway HOME, never in argv or the deploy's env.
    expect(configure.stdinKeyLength).toBe(ACCOUNT_KEY.length);
    expect(configure.home).not.toBe(s.home);
    expect(deployCall.home).toBe(configure.home);
    expect(deployCall.netrcPresent).toBe(true);
    expect(deployCall.accountKeyInEnv).toBe(false);
    expect(existsSync(configure.home)).toBe(false);
    expect(existsSync(path.join(s.home, '.back4app'))).toBe(false);

    expect(deployCall.cwd).toBe(s.distDir);
    expect(deployCall.hasMainJs && deployCall.hasAppJs).toBe(true);
    expect(JSON.parse(deployCall.parseLocal ?? 'null')).toEqual(expectedParseLocal);
    expect(JSON.parse(deployCall.parseProject ?? 'null')).toEqual({
      project_type: 1,
      parse: { jssdk: '' },
    });
    expect(output).toContain('npm run smoke -- https://my-airtable-mcp.b4a.app');
    expect(output).not.toContain(ACCOUNT_KEY);
  });

  it('uses the key stored by b4a configure accountkey, and passes --force on', async () => {
    const s = setup();
    mkdirSync(path.join(s.home, '.back4app'));
    writeFileSync(path.join(s.home, '.back4app', 'netrc'), 'machine parsecli.back4app.com\n');
    const { code, calls } = await runDeploy(s, {}, { force: true });
    expect(code).toBe(0);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ args: ['deploy', '-f'], cwd: s.distDir, home: s.home });
  });

  it('returns b4a’s exit code when the upload fails', async () => {
    const s = setup();
    const { code, output } = await runDeploy(s, {
      B4A_ACCOUNT_KEY: ACCOUNT_KEY,
      FAKE_B4A_EXIT: '3',
    });
    expect(code).toBe(3);
    expect(output).toContain('b4a deploy failed (exit 3)');
  });

  it('refuses without an account key, before calling b4a', async () => {
    const s = setup();
    const { code, output, calls } = await runDeploy(s, {});
    expect(code).toBe(1);
    expect(output).toContain('b4a configure accountkey');
    expect(calls).toEqual([]);
  });

  it('refuses a placeholder applicationId', async () => {
    const s = setup();
    const cfg = { ...config, applicationId: 'REPLACE_WITH_YOUR_BACK4APP_APPLICATION_ID' };
    await expect(runDeploy(s, { B4A_ACCOUNT_KEY: ACCOUNT_KEY }, { cfg })).rejects.toThrow(
      /applicationId is still a placeholder/,
    );
  });

  it('refuses to upload a bundle that fails a check', async () => {
    const s = setup();
    writeFileSync(path.join(s.distDir, 'cloud', 'extra.js'), 'require("express")');
    const { code, output, calls } = await runDeploy(s, { B4A_ACCOUNT_KEY: ACCOUNT_KEY });
    expect(code).toBe(1);
    expect(output).toContain('not deploying');
    expect(calls).toEqual([]);
  });
});

describe('npm run deploy without b4a', () => {
  it('explains how to install b4a and exits non-zero', async () => {
    const s = setup();
    const lines: string[] = [];
    const code = await deploy({
      config,
      rootDir: s.dir,
      distDir: s.distDir,
      env: { PATH: path.join(tmp, 'empty-bin'), HOME: s.home, B4A_ACCOUNT_KEY: ACCOUNT_KEY },
      skipBuild: true,
      out: (l) => lines.push(l),
    });
    expect(code).toBe(1);
    expect(lines.join('\n')).toContain(
      'curl https://raw.githubusercontent.com/back4app/parse-cli/back4app/installer.sh | sudo /bin/bash',
    );
  });

  it('main() exits 2 with the config error for the repository placeholder', async () => {
    const err = jest.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await main(['--skip-build'], { PATH: '' }, ROOT)).toBe(2);
      expect(err).toHaveBeenCalledWith(
        expect.stringMatching(/applicationId is still a placeholder/),
      );
      expect(await main(['--bogus'], { PATH: '' }, ROOT)).toBe(2);
    } finally {
      err.mockRestore();
    }
  });
});
