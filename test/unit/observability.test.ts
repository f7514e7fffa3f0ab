/**
 * Observability without leaks: every secret-bearing field is redacted from log lines at any
 * depth we log, every field any log call in cloud/ writes is either known safe or redacted, the
 * request id is echoed only when sane, counters are shared by both Cloud Code bundles of one
 * process, and the master-key check for /internal/metrics holds against any input.
 */
import fc from 'fast-check';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Request } from 'express';
import { createLogger, SECRET_FIELDS } from '../../cloud/log';
import { hasMasterKey } from '../../cloud/observability/master-key';
import {
  count,
  countAuthFailure,
  metricsSnapshot,
  COUNTER_NAMES,
} from '../../cloud/observability/metrics';
import { requestIdFrom } from '../../cloud/observability/request-context';
import { requestStore } from '../../cloud/observability/request-store';
import { headerValue, runs } from '../helpers/fuzz';

function capture(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

/** Waits for pino's asynchronous write to land. */
const flushed = () => new Promise((r) => setImmediate(r));

describe('log redaction', () => {
  it('redacts tokens, session ids, keys and auth headers wherever we put them', async () => {
    const { lines, logger } = capture();
    const secret = (n: string) => `SECRET-${n}-value`;
    logger.info(
      {
        access_token: secret('a'),
        refreshToken: secret('b'),
        tokens: secret('c'),
        session_id: secret('d'),
        req: {
          headers: {
            authorization: `Bearer ${secret('e')}`,
            cookie: `session_id=${secret('f')}`,
            'x-parse-master-key': secret('g'),
          },
        },
        err: { cause: { client_secret: secret('h'), codeVerifier: secret('i') } },
        body: { api_key: secret('j'), code: secret('k'), state: secret('l') },
        userId: 'usrKeepThisOne01',
      },
      'a line with secrets',
    );
    await flushed();
    const out = lines.join('');
    expect(out).not.toMatch(/SECRET-/);
    expect(out).toContain('[redacted]');
    expect(out).toContain('usrKeepThisOne01'); // non-secret fields survive
  });

  it('any secret field name, at any depth up to 3, with any value: never printed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...SECRET_FIELDS),
        fc.array(fc.constantFrom('a', 'req', 'headers', 'err', 'cause'), { maxLength: 3 }),
        fc.string({ minLength: 6, maxLength: 40 }).map((s) => `S3CR3T${s.replace(/\W/g, '')}`),
        async (field, parents, value) => {
          const { lines, logger } = capture();
          let obj: Record<string, unknown> = { [field]: value };
          for (const p of [...parents].reverse()) obj = { [p]: obj };
          logger.info(obj, 'x');
          await flushed();
          expect(lines.join('')).not.toContain(value);
        },
      ),
      runs(100),
    );
  });

  it('adds the request id to every line written while a request is handled', async () => {
    const { lines, logger } = capture();
    requestStore.run({ requestId: 'req-123' }, () => logger.info({ a: 1 }, 'inside'));
    logger.info('outside');
    await flushed();
    expect(JSON.parse(lines[0]!)).toMatchObject({ requestId: 'req-123', a: 1 });
    expect(JSON.parse(lines[1]!).requestId).toBeUndefined();
  });

  /**
   * Every field name passed to a log call in cloud/: a new one must be classified here (safe) or
   * in cloud/log.ts SECRET_FIELDS (redacted) - so nothing secret gets logged by accident.
   */
  it('every field any log call writes is known safe or redacted', () => {
    const SAFE = new Set([
      'all',
      'changes',
      'className',
      'clientId',
      'credentialDeleted',
      'err',
      'error',
      'errMessage',
      'errName',
      'errors',
      'grantId',
      // cloud/http/rate-limit.ts: counts and a boolean, never an address
      'forwardedEntries',
      'job',
      'keyCount',
      'kind',
      'method',
      'ms',
      'objectId',
      'path',
      'pending',
      'peerIsLoopback',
      'platform',
      'requestId',
      'result',
      'retry',
      'revoked',
      'role',
      'status',
      'tool',
      'trustProxyHops',
      'type',
      'userId',
      'uses',
      'waitMs',
      'why',
    ]);
    const secret = new Set<string>(SECRET_FIELDS);
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = path.join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts')) files.push(p);
      }
    };
    walk(path.resolve(__dirname, '../../cloud'));
    const unknown: string[] = [];
    let calls = 0;
    for (const file of files) {
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(/\blog\.(?:fatal|error|warn|info|debug|trace)\(\s*\{/g)) {
        calls++;
        // The object literal, braces balanced; its top-level keys.
        let depth = 0;
        let i = m.index + m[0].length - 1;
        const start = i;
        for (; i < src.length; i++) {
          if (src[i] === '{' || src[i] === '(' || src[i] === '[') depth++;
          else if (src[i] === '}' || src[i] === ')' || src[i] === ']') depth--;
          if (depth === 0) break;
        }
        const literal = src.slice(start + 1, i);
        let top = '';
        depth = 0;
        for (const ch of literal) {
          if ('{(['.includes(ch)) depth++;
          else if ('})]'.includes(ch)) depth--;
          else if (depth === 0) top += ch;
        }
        for (const part of top.split(',')) {
          const key = /^\s*(?:\.\.\.)?\s*['"]?([\w-]+)['"]?\s*(?::|$)/.exec(part)?.[1];
          if (key && !SAFE.has(key) && !secret.has(key))
            unknown.push(`${path.relative(process.cwd(), file)}: ${key}`);
        }
      }
    }
    expect(calls).toBeGreaterThan(10);
    expect(unknown).toEqual([]);
  });
});

describe('request id', () => {
  const req = (id: string | undefined) =>
    ({ headers: id === undefined ? {} : { 'x-request-id': id } }) as unknown as Request;

  it('keeps a sane incoming id and replaces anything else by a UUID', () => {
    expect(requestIdFrom(req('abc-123_x.y:z'))).toBe('abc-123_x.y:z');
    fc.assert(
      fc.property(fc.option(headerValue, { nil: undefined }), (id) => {
        const out = requestIdFrom(req(id));
        const sane = id !== undefined && /^[A-Za-z0-9][A-Za-z0-9._:@+=/-]{0,127}$/.test(id);
        if (sane) expect(out).toBe(id);
        else expect(out).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      }),
      runs(300),
    );
  });
});

describe('metrics', () => {
  it('counts into one registry per process, shared by every copy of the module', () => {
    const before = metricsSnapshot().counters;
    count('airtable_429');
    countAuthFailure('mcp_token');
    let other: typeof import('../../cloud/observability/metrics') | undefined;
    jest.isolateModules(() => {
      // A second copy, as main.js and app.js each bundle their own.
      other = jest.requireActual('../../cloud/observability/metrics');
    });
    other!.count('airtable_429');
    const after = metricsSnapshot().counters;
    expect(after.airtable_429! - before.airtable_429!).toBe(2);
    expect(after.auth_failures! - before.auth_failures!).toBe(1);
    expect(after['auth_failures.mcp_token']! - before['auth_failures.mcp_token']!).toBe(1);
    for (const name of COUNTER_NAMES) expect(typeof after[name]).toBe('number');
  });
});

describe('master key check (GET /internal/metrics)', () => {
  const KEY = 'the-master-key-0123456789';
  const req = (value: string | undefined) =>
    ({
      headers: value === undefined ? {} : { 'x-parse-master-key': value },
    }) as unknown as Request;

  it('accepts exactly a configured key', () => {
    expect(hasMasterKey(req(KEY), [KEY])).toBe(true);
    expect(hasMasterKey(req(KEY), ['other-key-123456', KEY])).toBe(true);
    expect(hasMasterKey(req(undefined), [KEY])).toBe(false);
    expect(hasMasterKey(req(''), [KEY])).toBe(false);
    expect(hasMasterKey(req(`${KEY} `), [KEY])).toBe(false);
    expect(hasMasterKey(req(KEY), [])).toBe(false);
  });

  it('refuses anything else', () => {
    fc.assert(
      fc.property(
        headerValue.filter((v) => v !== KEY),
        (v) => {
          expect(hasMasterKey(req(v), [KEY])).toBe(false);
        },
      ),
      runs(300),
    );
  });
});
