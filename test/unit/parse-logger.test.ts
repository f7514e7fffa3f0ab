/**
 * A refused Parse request logs one line without a stack: our triggers throw stackless refusals
 * (cloud/triggers.ts, which holds on Back4App too), and the local stack's logger adapter drops the
 * stack of any other client error and the generic line after a sanitized refusal
 * (scripts/dev/parse-logger.ts). Its log folder is private. (The running stack: parse-logs.test.ts.)
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Parse from 'parse/node';
import { privateLogsFolder, refusalArgs } from '../../scripts/dev/parse-logger';
import { refusal } from '../../cloud/triggers';

const parseError = (code: number, message: string) => new Parse.Error(code, message);

describe('refusalArgs (what the local stack hands to winston)', () => {
  it('keeps code and message of a client error, without its stack', () => {
    const err = parseError(119, 'This class is master-key only.');
    expect(err.stack).toBeTruthy();
    const out = refusalArgs(['Parse error: ', err]);
    expect(out).toEqual([
      'Parse error: ',
      { code: 119, message: 'This class is master-key only.' },
    ]);
    expect(JSON.stringify(out)).not.toMatch(/stack|at /);
  });

  it('drops the generic line of a sanitized refusal (its detail was logged just before)', () => {
    expect(refusalArgs(['Parse error: ', parseError(119, 'Permission denied')])).toBeUndefined();
    expect(refusalArgs(['Parse error: ', parseError(209, 'Permission denied')])).toBeUndefined();
  });

  it('keeps the stack of internal errors and failed cloud code', () => {
    const internal = parseError(1, 'boom');
    expect(refusalArgs(['Parse error: ', internal])).toEqual(['Parse error: ', internal]);
    const script = parseError(141, 'cloud code threw');
    expect(refusalArgs([script])).toEqual([script]);
  });

  it('leaves every other log call alone', () => {
    const plain = new Error('not a Parse error');
    expect(refusalArgs(['hello', { a: 1 }])).toEqual(['hello', { a: 1 }]);
    expect(refusalArgs(['oops', plain])).toEqual(['oops', plain]);
  });
});

describe('refusal (what our triggers throw)', () => {
  const g = globalThis as { Parse?: unknown };
  beforeAll(() => {
    g.Parse = Parse;
  });
  afterAll(() => {
    delete g.Parse;
  });

  it('is a Parse.Error with code and message but no stack', () => {
    const err = refusal(Parse.Error.OPERATION_FORBIDDEN, 'This class is master-key only.');
    expect(err).toBeInstanceOf(Parse.Error);
    expect((err as InstanceType<typeof Parse.Error>).code).toBe(119);
    expect(err.message).toBe('This class is master-key only.');
    expect(err.stack).toBeUndefined();
  });
});

describe('privateLogsFolder', () => {
  it('creates the folder 0700 and closes files an earlier run left readable', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'parse-logs-'));
    try {
      const dir = path.join(root, 'logs');
      privateLogsFolder(dir);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      const old = path.join(dir, 'parse-server.info.2020-01-01');
      writeFileSync(old, '{}\n', { mode: 0o644 });
      privateLogsFolder(dir);
      expect(statSync(old).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
