/**
 * parse-server's log files on the local stack: in a folder only the server's user can open
 * (0700), and a refused find - by one of our beforeFind triggers or by a CLP - is one line without
 * a stack trace (cloud/triggers.ts `refusal`, scripts/dev/parse-logger.ts); so is a refusal parse-server
 * makes itself (it logs the detail, and the generic line with the stack after it is dropped).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { harness, parseRest } from '../harness/env';

const h = harness();
const logs = path.join(h.dataDir, 'logs');
const rest = { 'X-Parse-REST-API-Key': h.restApiKey };

interface LogLine {
  message?: string;
  code?: number;
  stack?: string;
}

function errorLines(): LogLine[] {
  return readdirSync(logs)
    .filter((f) => f.startsWith('parse-server.err'))
    .flatMap((f) => readFileSync(path.join(logs, f), 'utf8').split('\n'))
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as LogLine);
}

/** Waits for the file transport to write a line matching `match` (it writes asynchronously). */
async function lineWith(match: (l: LogLine) => boolean): Promise<LogLine> {
  for (let i = 0; i < 50; i++) {
    const found = errorLines().find(match);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the log line never appeared: ${JSON.stringify(errorLines().slice(-6))}`);
}

it('keeps the log folder private (0700): the files inside are readable by nobody else', () => {
  expect(statSync(logs).mode & 0o777).toBe(0o700);
});

it('logs a find refused by our trigger as one line without a stack', async () => {
  const refused = await parseRest('GET', 'classes/UserToken', rest);
  expect(refused.status).toBe(400);
  const line = await lineWith(
    (l) => l.message?.includes('This class is master-key only.') === true,
  );
  expect(line.code).toBe(119);
  expect(line.stack).toBeUndefined();
});

it('logs refusals parse-server makes itself (a CLP, the _Session check) as one line each', async () => {
  // _Session allows no trigger: parse-server refuses a find without a user's session itself.
  expect((await parseRest('GET', 'classes/_Session', rest)).status).toBe(400);
  await lineWith((l) => l.message === 'Invalid session token');
  // A sign-up meets _User's CLP before any trigger runs.
  const signUp = { username: `u${Date.now()}`, password: 'long-enough-password' };
  expect((await parseRest('POST', 'users', rest, signUp)).status).toBe(400);
  await lineWith((l) => l.message === 'Permission denied for action create on class _User.');
});

it('writes no stack for any refusal the suite has made so far', async () => {
  await parseRest('GET', 'classes/OAuthGrant', rest);
  await lineWith((l) => l.message?.includes('master-key only') === true);
  const withStacks = errorLines().filter(
    (l) => l.stack !== undefined && l.code !== 1 && l.code !== 141,
  );
  expect(withStacks).toEqual([]);
  // Nor the generic "Permission denied" line after a detailed CLP refusal.
  expect(errorLines().filter((l) => l.message === 'Permission denied')).toEqual([]);
});
