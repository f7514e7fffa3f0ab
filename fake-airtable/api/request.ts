/** What a Web API handler receives, and JSON body parsing with Airtable's error answers. */
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { Principal } from '../auth/principal';
import type { FakeContext } from '../context';
import { ApiError } from '../http/errors';
import { mediaType, parseJson, readBody } from '../http/io';

export interface ApiRequest {
  ctx: FakeContext;
  req: IncomingMessage;
  url: URL;
  principal: Principal;
  /** Decoded path parameters by name (baseId, table, recordId, ...). */
  params: Record<string, string>;
}

/** Reads a JSON body. Airtable: unparsable JSON is a 400; other media types are refused. */
export async function jsonBody(r: ApiRequest, maxBytes?: number): Promise<unknown> {
  const text = await readBody(r.req, maxBytes);
  if (mediaType(r.req) !== 'application/json')
    throw new ApiError(
      415,
      'INVALID_REQUEST_BODY',
      'Send the request body as JSON with "Content-Type: application/json".',
    );
  const parsed = parseJson(text);
  if (!parsed.ok)
    throw new ApiError(
      400,
      'INVALID_REQUEST_BODY',
      'The request body could not be parsed as JSON.',
    );
  return parsed.value;
}

/** Parses with a zod schema; failures are Airtable's 422 INVALID_REQUEST_UNKNOWN. */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
  throw new ApiError(
    422,
    'INVALID_REQUEST_UNKNOWN',
    `Invalid request: parameter validation failed${where}: ${issue?.message ?? 'invalid'}. Check your request data.`,
  );
}

/** Refuses query parameters the endpoint does not know (Airtable validates them). */
export function onlyQueryParams(url: URL, allowed: RegExp): void {
  for (const key of url.searchParams.keys())
    if (!allowed.test(key))
      throw new ApiError(
        422,
        'INVALID_REQUEST_UNKNOWN',
        `Invalid request: parameter validation failed. Unknown query parameter "${key}".`,
      );
}
