/**
 * Request bodies on Back4App's `global.app`, which may or may not already run body parsers
 * (platform-facts.md: UNVERIFIED). Reads the stream when nobody consumed it, otherwise takes what
 * the parser left (object, string or Buffer); either way enforces a size limit (413).
 */
import type { Request } from 'express';
import { HttpError } from './errors';

export type ParsedBody = Record<string, unknown> | unknown[] | string | number | boolean | null;

/** A body that is not JSON: /mcp answers it with JSON-RPC -32700 (JSON-RPC 2.0 section 5.1). */
export class InvalidJsonError extends HttpError {
  constructor() {
    super(400, 'invalid_request', 'Request body is not valid JSON.');
    this.name = 'InvalidJsonError';
  }
}

function readStream(req: Request, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (Number.isFinite(declared) && declared > limit) {
      reject(
        new HttpError(413, 'payload_too_large', `Request body is larger than ${limit} bytes.`),
      );
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(
          new HttpError(413, 'payload_too_large', `Request body is larger than ${limit} bytes.`),
        );
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (!failed)
        reject(new HttpError(400, 'invalid_request', `Could not read body: ${err.message}`));
    });
  });
}

function mediaType(req: Request): string {
  return String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
}

function parseText(text: string, type: string): ParsedBody {
  if (text.trim() === '') return {};
  if (type === 'application/x-www-form-urlencoded') {
    const out: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(text)) out[k] = v;
    return out;
  }
  if (type === 'application/json' || type.endsWith('+json') || type === '') {
    try {
      return JSON.parse(text) as ParsedBody;
    } catch {
      throw new InvalidJsonError();
    }
  }
  throw new HttpError(
    415,
    'unsupported_media_type',
    `Content-Type ${type} is not supported; send application/json or application/x-www-form-urlencoded.`,
  );
}

/** Returns the request body as JSON or form fields, whichever the client sent. */
export async function readBody(req: Request, limit = 64 * 1024): Promise<ParsedBody> {
  const type = mediaType(req);
  const streamUnread = !req.readableEnded && (req as { _body?: boolean })._body !== true;
  const pre: unknown = req.body;
  if (streamUnread && (pre === undefined || isEmptyObject(pre))) {
    const raw = await readStream(req, limit);
    if (raw.length === 0 && pre !== undefined) return pre as ParsedBody;
    return parseText(raw.toString('utf8'), type);
  }
  if (Buffer.isBuffer(pre)) {
    if (pre.length > limit)
      throw new HttpError(413, 'payload_too_large', `Request body is larger than ${limit} bytes.`);
    return parseText(pre.toString('utf8'), type);
  }
  if (typeof pre === 'string') {
    if (Buffer.byteLength(pre) > limit)
      throw new HttpError(413, 'payload_too_large', `Request body is larger than ${limit} bytes.`);
    return parseText(pre, type);
  }
  if (pre === undefined) return {};
  if (JSON.stringify(pre).length > limit)
    throw new HttpError(413, 'payload_too_large', `Request body is larger than ${limit} bytes.`);
  return pre as ParsedBody;
}

function isEmptyObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
}
