/**
 * How records are read (airtable.com/developers/web/api/list-records, get-record): cellFormat
 * "json" (typed values) or "string" (the text Airtable's UI shows), which needs both timeZone and
 * userLocale ("The timeZone and userLocale parameters are required when using string as the
 * cellFormat"), and returnFieldsByFieldId (cells keyed by fld... ids, which survive renames).
 * Refused here, before any request, when they do not fit together.
 */
import { z } from 'zod';
import { canonicalTimeZone } from '../airtable/zoned-time';
import { ToolInputError } from './tool-errors';

export const readOptionsShape = {
  cellFormat: z
    .enum(['json', 'string'])
    .default('json')
    .describe(
      'json (default): typed values (numbers, arrays of ids...); string: every cell as the text ' +
        "Airtable's UI shows (linked records by name, formatted dates and numbers); needs timeZone and userLocale.",
    ),
  timeZone: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe('With cellFormat "string": IANA time zone for dates, e.g. "Europe/Paris", "UTC".'),
  userLocale: z
    .string()
    .min(2)
    .max(35)
    .optional()
    .describe('With cellFormat "string": locale for dates, e.g. "en-us", "fr", "de".'),
  returnFieldsByFieldId: z
    .boolean()
    .default(false)
    .describe('true: cells are keyed by field id (fld...) instead of field name.'),
};

export interface ReadOptions {
  cellFormat?: 'json' | 'string';
  timeZone?: string;
  userLocale?: string;
  returnFieldsByFieldId?: boolean;
}

const LOCALE = /^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$/;

/** The Airtable parameters for these options, or a ToolInputError saying what to fix. */
export function readParams(args: {
  cellFormat: 'json' | 'string';
  timeZone?: string | undefined;
  userLocale?: string | undefined;
  returnFieldsByFieldId: boolean;
}): ReadOptions {
  const byId = args.returnFieldsByFieldId ? { returnFieldsByFieldId: true } : {};
  if (args.cellFormat === 'json') {
    if (args.timeZone !== undefined || args.userLocale !== undefined)
      throw new ToolInputError(
        'timeZone and userLocale only apply with cellFormat "string"; remove them or set cellFormat to "string".',
      );
    return byId;
  }
  if (args.timeZone === undefined || args.userLocale === undefined)
    throw new ToolInputError(
      'cellFormat "string" needs both timeZone (e.g. "Europe/Paris") and userLocale (e.g. "en-us"): ' +
        'Airtable refuses it otherwise.',
    );
  if (!canonicalTimeZone(args.timeZone))
    throw new ToolInputError(
      `timeZone "${args.timeZone}" is not an IANA time zone name (e.g. "America/New_York", "UTC").`,
    );
  if (!LOCALE.test(args.userLocale))
    throw new ToolInputError(
      `userLocale "${args.userLocale}" is not a locale code (e.g. "en-us", "fr", "pt-br").`,
    );
  return {
    cellFormat: 'string',
    timeZone: args.timeZone,
    userLocale: args.userLocale.toLowerCase(),
    ...byId,
  };
}
