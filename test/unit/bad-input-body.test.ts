/**
 * readBody (cloud/http/body.ts) against any body, declared length, content type and whatever a
 * body parser in front of us may have left (Back4App's app may or may not run one): it returns a
 * parsed body or refuses with 400, 413 or 415 - never another error, never over its limit.
 */
import fc from 'fast-check';
import { PassThrough } from 'node:stream';
import type { Request } from 'express';
import { readBody } from '../../cloud/http/body';
import { HttpError } from '../../cloud/http/errors';
import { headerValue, hostileJson, hostileString, runs } from '../helpers/fuzz';

function fakeRequest(opts: {
  body: Buffer;
  contentType?: string;
  declaredLength?: number;
  pre?: unknown;
  chunks?: number;
}): Request {
  const stream = new PassThrough();
  const headers: Record<string, string> = {};
  if (opts.contentType !== undefined) headers['content-type'] = opts.contentType;
  if (opts.declaredLength !== undefined) headers['content-length'] = String(opts.declaredLength);
  const req = Object.assign(stream, { headers, body: opts.pre }) as unknown as Request;
  const parts = Math.max(1, opts.chunks ?? 1);
  const size = Math.ceil(opts.body.length / parts) || 1;
  setImmediate(() => {
    for (let i = 0; i < opts.body.length; i += size) stream.write(opts.body.subarray(i, i + size));
    stream.end();
  });
  return req;
}

const contentType = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/x-www-form-urlencoded',
    'application/merge-patch+json',
    'text/plain',
    'multipart/form-data; boundary=x',
    '',
  ),
  headerValue,
);

const body = fc.oneof(
  hostileJson.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  hostileString.map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  fc.nat({ max: 5000 }).map((n) => Buffer.from(`{"a":"${'x'.repeat(n)}"}`)),
);

async function outcome(p: Promise<unknown>): Promise<'ok' | number> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof HttpError) return err.status;
    throw err; // anything else is a bug
  }
}

describe('readBody with hostile input', () => {
  it('parses or refuses with 400/413/415, and enforces the limit, when it reads the stream', async () => {
    await fc.assert(
      fc.asyncProperty(
        body,
        contentType,
        fc.nat({ max: 4096 }),
        fc.option(fc.nat({ max: 10_000 }), { nil: undefined }),
        fc.integer({ min: 1, max: 5 }),
        async (b, type, limit, declared, chunks) => {
          const result = await outcome(
            readBody(
              fakeRequest({
                body: b,
                contentType: type,
                ...(declared !== undefined ? { declaredLength: declared } : {}),
                chunks,
              }),
              limit,
            ),
          );
          if (result !== 'ok') expect([400, 413, 415]).toContain(result);
          if (b.length > limit || (declared ?? 0) > limit) expect(result).toBe(413);
        },
      ),
      runs(300),
    );
  });

  it('treats what a body parser left (object, string, Buffer) the same way', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          hostileJson,
          hostileString,
          fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
        ),
        contentType,
        fc.nat({ max: 2048 }),
        async (pre, type, limit) => {
          const req = fakeRequest({ body: Buffer.alloc(0), contentType: type, pre });
          (req as unknown as { _body: boolean })._body = true; // a parser consumed the stream
          const result = await outcome(readBody(req, limit));
          if (result !== 'ok') expect([400, 413, 415]).toContain(result);
        },
      ),
      runs(300),
    );
  });
});
