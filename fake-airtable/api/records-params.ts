/**
 * List-records parameters (airtable.com/developers/web/api/list-records), from the query string
 * (`fields[]=A`, `sort[0][field]=A&sort[0][direction]=desc`) or from the JSON body of
 * POST .../listRecords. Unknown parameters, pageSize over 100 and cellFormat=string without
 * timeZone + userLocale are 422 INVALID_REQUEST_UNKNOWN.
 */
import { z } from 'zod';
import { ApiError, invalidRequest } from '../http/errors';
import { parseWith } from './request';

export interface ListParams {
  pageSize: number;
  offset?: string | undefined;
  maxRecords?: number | undefined;
  filterByFormula?: string | undefined;
  sort: { field: string; direction: 'asc' | 'desc' }[];
  fields?: string[] | undefined;
  view?: string | undefined;
  cellFormat: 'json' | 'string';
  timeZone?: string | undefined;
  userLocale?: string | undefined;
  returnFieldsByFieldId: boolean;
  commentCount: boolean;
}

/** The parameters GET one record accepts. */
export interface ReadParams {
  cellFormat: 'json' | 'string';
  returnFieldsByFieldId: boolean;
  timeZone?: string | undefined;
  userLocale?: string | undefined;
}

const bodySchema = z.strictObject({
  pageSize: z.number().int().optional(),
  offset: z.string().optional(),
  maxRecords: z.number().int().optional(),
  filterByFormula: z.string().optional(),
  sort: z
    .array(z.strictObject({ field: z.string(), direction: z.enum(['asc', 'desc']).optional() }))
    .optional(),
  fields: z.array(z.string()).optional(),
  view: z.string().optional(),
  cellFormat: z.enum(['json', 'string']).optional(),
  timeZone: z.string().optional(),
  userLocale: z.string().optional(),
  returnFieldsByFieldId: z.boolean().optional(),
  recordMetadata: z.array(z.literal('commentCount')).optional(),
});
type BodyParams = z.infer<typeof bodySchema>;

function int(key: string, v: string): number {
  if (!/^-?\d+$/.test(v)) throw invalidRequest(`${key} must be an integer`);
  return Number(v);
}

function bool(key: string, v: string): boolean {
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw invalidRequest(`${key} must be true or false`);
}

const SINGLE = new Set([
  'pageSize',
  'offset',
  'maxRecords',
  'filterByFormula',
  'view',
  'cellFormat',
  'timeZone',
  'userLocale',
  'returnFieldsByFieldId',
]);

/** Reads list parameters from a query string into the body shape, then validates like a body. */
export function queryToBody(url: URL, allowed: ReadonlySet<string> = SINGLE): BodyParams {
  const out: Record<string, unknown> = {};
  const sort: { field?: string; direction?: string }[] = [];
  const fields: string[] = [];
  const meta: string[] = [];
  for (const [key, value] of url.searchParams) {
    if (allowed.has(key)) {
      if (url.searchParams.getAll(key).length > 1) throw invalidRequest(`${key} is repeated`);
      if (key === 'pageSize' || key === 'maxRecords') out[key] = int(key, value);
      else if (key === 'returnFieldsByFieldId') out[key] = bool(key, value);
      else out[key] = value;
      continue;
    }
    if (allowed === SINGLE && /^fields(\[\d*\])?$/.test(key)) {
      fields.push(value);
      continue;
    }
    if (allowed === SINGLE && /^recordMetadata(\[\d*\])?$/.test(key)) {
      meta.push(value);
      continue;
    }
    const s = allowed === SINGLE ? /^sort\[(\d+)\]\[(field|direction)\]$/.exec(key) : null;
    if (s) {
      const i = Number(s[1]);
      sort[i] = { ...sort[i], [s[2]!]: value };
      continue;
    }
    throw invalidRequest(`unknown parameter "${key}"`);
  }
  if (fields.length) out.fields = fields;
  if (meta.length) out.recordMetadata = meta;
  if (sort.length) {
    if (sort.some((x) => x === undefined || x.field === undefined))
      throw invalidRequest('sort entries must be numbered from 0 and each needs a field');
    out.sort = sort;
  }
  return parseWith(bodySchema, out);
}

export function validateList(b: BodyParams): ListParams {
  const pageSize = b.pageSize ?? 100;
  if (pageSize < 1 || pageSize > 100) throw invalidRequest('pageSize must be between 1 and 100');
  if (b.maxRecords !== undefined && b.maxRecords < 1)
    throw invalidRequest('maxRecords must be a positive integer');
  const cellFormat = b.cellFormat ?? 'json';
  if (cellFormat === 'string' && (!b.timeZone || !b.userLocale))
    throw new ApiError(
      422,
      'INVALID_REQUEST_UNKNOWN',
      'Invalid request: timeZone and userLocale are required when cellFormat is "string"',
    );
  if (b.timeZone !== undefined && !knownTimeZone(b.timeZone))
    throw invalidRequest(`timeZone "${b.timeZone}" is not a supported time zone`);
  if (b.userLocale !== undefined && !/^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$/i.test(b.userLocale))
    throw invalidRequest(`userLocale "${b.userLocale}" is not a supported locale`);
  return {
    pageSize,
    offset: b.offset,
    maxRecords: b.maxRecords,
    filterByFormula: b.filterByFormula,
    sort: (b.sort ?? []).map((s) => ({ field: s.field, direction: s.direction ?? 'asc' })),
    fields: b.fields,
    view: b.view,
    cellFormat,
    timeZone: b.timeZone,
    userLocale: b.userLocale,
    returnFieldsByFieldId: b.returnFieldsByFieldId ?? false,
    commentCount: (b.recordMetadata ?? []).includes('commentCount'),
  };
}

/**
 * Airtable's timeZone parameter takes the identifiers of its Timezone model (the IANA names of
 * support.airtable.com "Supported SET_TIMEZONE timezones", plus "utc" and "client"); the fake
 * accepts any IANA name the platform knows, plus those two.
 */
function knownTimeZone(name: string): boolean {
  if (name === 'utc' || name === 'client') return true;
  if (!/^[A-Za-z0-9_+\-/]{1,100}$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export function listParamsFromQuery(url: URL): ListParams {
  return validateList(queryToBody(url));
}

export function listParamsFromBody(body: unknown): ListParams {
  return validateList(parseWith(bodySchema, body));
}

const READ_KEYS = new Set(['cellFormat', 'returnFieldsByFieldId', 'timeZone', 'userLocale']);

export function readParamsFromQuery(url: URL): ReadParams {
  const b = queryToBody(url, READ_KEYS);
  const l = validateList(b);
  return {
    cellFormat: l.cellFormat,
    returnFieldsByFieldId: l.returnFieldsByFieldId,
    timeZone: l.timeZone,
    userLocale: l.userLocale,
  };
}
