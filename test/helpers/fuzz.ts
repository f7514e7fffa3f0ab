/**
 * Property-based bad-input testing (fast-check): run counts, hostile values, a raw HTTP client
 * that sends exactly the bytes it is given (no fetch normalisation) and never hangs, the checks
 * every answer must pass (no 5xx, no stack trace, no header injection), and a fingerprint of our
 * Parse classes to prove a refused request changed nothing.
 */
import fc from 'fast-check';
import http from 'node:http';
import { CLASS_NAMES } from '../../cloud/schema/definitions';

/** LONG_TESTS=1 multiplies every run count by 10 (and fast-check's time budget with it). */
export const LONG = process.env.LONG_TESTS === '1';

// Ten times the cases need more than the default per-test time.
if (LONG && typeof jest !== 'undefined') jest.setTimeout(15 * 60_000);

export function runs(base: number): { numRuns: number } {
  return { numRuns: LONG ? base * 10 : base };
}

/** Values that break naive code: injections, separators, encodings, odd unicode. */
export const HOSTILE_PIECES = [
  '\r\n',
  '\n',
  '\r',
  '\u0000',
  '\t',
  '\u001b[31m',
  '\u007f',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\u200b',
  '\ud800', // a lone surrogate
  '\ud83d\ude00',
  'e\u0301',
  '\u202e',
  '%0d%0a',
  '%0D%0ASet-Cookie:%20injected=1',
  '\r\nSet-Cookie: injected=1',
  '\r\nX-Injected: 1',
  '%00',
  '%ZZ',
  '%',
  '"',
  "'",
  '\\',
  '`',
  '{',
  '}',
  '{Name}',
  '") & TRUE() & ("',
  '"), TRUE(), ("',
  '\\"), OR(TRUE(), "',
  '\'; DROP TABLE "UserToken"; --',
  '$where',
  '{"$gt": ""}',
  '__proto__',
  'constructor',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  'javascript:alert(1)',
  '${7*7}',
  '{{7*7}}',
  '=HYPERLINK("http://x")',
  'https://evil.example/',
  '//evil.example',
  '?',
  '#',
  '&',
  '=',
  ';',
  ',',
  ' ',
];

export const hostilePiece = fc.constantFrom(...HOSTILE_PIECES);

/** Short strings mixing hostile pieces with random (also non-BMP and binary) text. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  hostilePiece,
  fc
    .array(fc.oneof(hostilePiece, fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 6 })
    .map((parts) => parts.join('')),
);

/** Anything JSON can carry, with hostile strings as keys and values. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileString, tie('value'), { maxKeys: 4 }),
  ),
})).value;

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RawRequest {
  method: string;
  /** Sent as is: the caller percent-encodes (or deliberately does not). */
  path: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  /** Client-side limit; exceeding it fails the request (a hang is a bug). */
  timeoutMs?: number;
}

/** One HTTP request with node:http; rejects on a hang, resolves with whatever came back. */
export function rawRequest(baseUrl: string, req: RawRequest): Promise<RawAnswer> {
  const url = new URL(baseUrl);
  const headers = { ...req.headers };
  const framed = Object.keys(headers).some((k) =>
    ['content-length', 'transfer-encoding'].includes(k.toLowerCase()),
  );
  // Node sends a GET's body unframed unless told its length (the server would see garbage).
  if (req.body !== undefined && !framed)
    headers['Content-Length'] = String(Buffer.byteLength(req.body));
  return new Promise((resolve, reject) => {
    const r = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers,
        timeout: req.timeoutMs ?? 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    r.on('timeout', () => r.destroy(new Error(`no answer within ${req.timeoutMs ?? 15_000} ms`)));
    r.on('error', reject); // after resolve() this is a no-op
    if (req.body !== undefined) r.end(req.body);
    else r.end();
  });
}

/**
 * Percent-encodes any string, lone surrogates included (as the bytes WTF-8 would give them:
 * invalid UTF-8 once decoded - encodeURIComponent would throw instead). `loose` leaves existing
 * '%' sequences alone, so '%0d%0a' or '%ZZ' reach the server as written.
 */
export function encodeAny(s: string, loose = false): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      out +=
        `%${(0xe0 | (cp >> 12)).toString(16)}%${(0x80 | ((cp >> 6) & 0x3f)).toString(16)}%${(0x80 | (cp & 0x3f)).toString(16)}`.toUpperCase();
    } else if (loose && /^[A-Za-z0-9\-._~%!$'()*,;:@/?]$/.test(ch)) out += ch;
    else out += encodeURIComponent(ch);
  }
  return loose ? out.replace(/%(?![0-9A-Fa-f]{2})/g, '%25') : out;
}

export function hasLoneSurrogate(s: string): boolean {
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}

/** A query string of `params`, each value encoded strictly or loosely (see encodeAny). */
export function queryString(params: Record<string, string>, loose = false): string {
  return Object.entries(params)
    .map(([k, v]) => `${encodeAny(k)}=${encodeAny(v, loose)}`)
    .join('&');
}

/** A header value an HTTP client can send (no controls but tab, latin1 at most), still hostile. */
export const headerValue: fc.Arbitrary<string> = hostileString.map((s) =>
  Array.from(s)
    .map((ch) => (ch.codePointAt(0)! > 0xff ? '?' : ch))
    .join('')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, ' '),
);

/** Stack frames, source paths and module names: none may reach a client. */
const LEAK =
  /\n\s+at [\w.<>$[\] ]+ \(|\bat (?:async )?[\w.$]+ \([^)]*:\d+:\d+\)|node_modules|\/work\/|\.ts:\d+:\d+|\.js:\d+:\d+/;

/** What every answer to bad input must satisfy; returns the problems found (empty = fine). */
export function answerProblems(a: RawAnswer): string[] {
  const problems: string[] = [];
  if (a.status >= 500) problems.push(`status ${a.status}`);
  if (LEAK.test(a.body)) problems.push(`stack trace or path in body: ${a.body.slice(0, 300)}`);
  const location = a.headers.location;
  if (location !== undefined) {
    // eslint-disable-next-line no-control-regex
    if (/[\r\n\u0000]/.test(location)) problems.push(`raw control characters in Location`);
    try {
      new URL(location, 'http://base.invalid');
    } catch {
      problems.push(`unparsable Location ${location}`);
    }
  }
  if (a.headers['x-injected'] !== undefined) problems.push('an injected header came back');
  // Reflected markup only matters where a browser renders it: HTML pages.
  if (
    /html/i.test(String(a.headers['content-type'] ?? '')) &&
    a.body.includes('<script>alert(1)</script>')
  )
    problems.push('hostile markup reflected raw in an HTML page');
  const cookies = a.headers['set-cookie'] ?? [];
  if (cookies.some((c) => /injected/i.test(c))) problems.push('an injected cookie came back');
  return problems;
}

/** Throws with the request and answer when `answerProblems` finds anything. */
export function assertSafeAnswer(what: string, a: RawAnswer): void {
  const problems = answerProblems(a);
  if (problems.length > 0)
    throw new Error(
      `${what}: ${problems.join('; ')} (status ${a.status}, body ${a.body.slice(0, 500)})`,
    );
}

/**
 * Every row of every class of ours (objectId and updatedAt), in order: equal fingerprints before
 * and after a request mean it created, changed and deleted nothing. Read with the master key, in
 * one /batch request (one query per class inside parse-server), so a property can afford one
 * fingerprint per run.
 */
export async function rowFingerprint(
  baseUrl: string,
  appId: string,
  masterKey: string,
): Promise<string> {
  const res = await fetch(`${baseUrl}/parse/batch`, {
    method: 'POST',
    headers: {
      'X-Parse-Application-Id': appId,
      'X-Parse-Master-Key': masterKey,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({
      requests: CLASS_NAMES.map((className) => ({
        method: 'GET',
        path: `/parse/classes/${className}`,
        body: { limit: 10000, order: 'objectId', keys: 'objectId,updatedAt' },
      })),
    }),
  });
  if (res.status !== 200) throw new Error(`row fingerprint: /batch answered ${res.status}`);
  const answers = (await res.json()) as {
    success?: { results: { objectId: string; updatedAt: string }[] };
    error?: unknown;
  }[];
  return answers
    .map((a, i) => {
      if (!a.success)
        throw new Error(`row fingerprint: ${CLASS_NAMES[i]}: ${JSON.stringify(a.error)}`);
      return `${CLASS_NAMES[i]}:${a.success.results.map((r) => `${r.objectId}@${r.updatedAt}`).join(',')}`;
    })
    .join('\n');
}
