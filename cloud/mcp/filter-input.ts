/**
 * The `filter` argument (a JSON tree of conditions) and how a tool turns it, plus an optional raw
 * filterByFormula, into the one formula Airtable receives. Both given: a record must match both
 * (AND). The tree is compiled by cloud/airtable/filter-formula.ts; this file adds what needs the
 * table: the kind of each date field (date or date-time) and field ids mapped to names.
 */
import { z } from 'zod';
import type { FieldModel } from '../airtable/api-schemas';
import {
  allOf,
  balancedFormula,
  compileFilter,
  dateConditionFields,
  FILTER_OPS,
  FilterError,
  filterFields,
  WITHIN_PERIODS,
  type DateKind,
  type FilterNode,
} from '../airtable/filter-formula';
import { findField } from './table-lookup';
import type { TableSchema } from './table-schema';
import { ToolInputError } from './tool-errors';

const FIELD_ID = /^fld[A-Za-z0-9]{14}$/;

const scalar = z.union([z.string().max(10_000), z.number(), z.boolean()]);

/** One node of the tree: a group (and / or / not) or a condition (field, op, value...). */
export const filterNode: z.ZodType<FilterNode> = z.strictObject({
  get and() {
    return z.array(filterNode).min(1).max(100).optional().describe('Every entry must match.');
  },
  get or() {
    return z
      .array(filterNode)
      .min(1)
      .max(100)
      .optional()
      .describe('At least one entry must match.');
  },
  get not() {
    return filterNode.optional().describe('Must not match.');
  },
  field: z.string().min(1).max(1000).optional().describe('Condition: field name (or fld... id).'),
  op: z
    .enum(FILTER_OPS)
    .optional()
    .describe(
      'Condition operator. Any field: = and != (text, number, or true/false for checkboxes), isEmpty, ' +
        'isNotEmpty, isAnyOf / isNoneOf (value: array). Numbers: < <= > >=. Text: contains, ' +
        'notContains, startsWith, endsWith. Multiple selects, links, lookups: hasAnyOf, hasAllOf, ' +
        'hasNoneOf (value: array of item names). Dates (need timeZone): isBefore, isAfter, ' +
        'isOnOrBefore, isOnOrAfter, isOn (value: "YYYY-MM-DD", an ISO date-time, "today", ' +
        '"tomorrow" or "yesterday"), isWithin (value: a period).',
    ),
  value: z
    .union([scalar, z.array(z.union([z.string().max(10_000), z.number()])).max(100)])
    .optional()
    .describe(
      `Condition value; its type depends on op. isWithin periods: ${WITHIN_PERIODS.join(', ')} ` +
        '(the last two with "days"; ranges include today).',
    ),
  caseSensitive: z
    .boolean()
    .optional()
    .describe('Text comparisons ignore case unless this is true.'),
  timeZone: z
    .string()
    .max(100)
    .optional()
    .describe(
      'Date conditions: IANA time zone that decides where days start, e.g. "Europe/Paris", "UTC".',
    ),
  days: z
    .number()
    .int()
    .min(0)
    .max(36_500)
    .optional()
    .describe('isWithin with pastNumberOfDays / nextNumberOfDays.'),
});

export const filterInput = filterNode
  .optional()
  .describe(
    'Structured filter instead of (or with) a formula: a condition {"field": "Status", "op": "=", ' +
      '"value": "Done"}, or groups {"and": [...]}, {"or": [...]}, {"not": {...}} nesting up to 8 deep. ' +
      'Example: {"and": [{"field": "Due", "op": "isWithin", "value": "nextWeek", "timeZone": ' +
      '"Europe/Paris"}, {"field": "Tags", "op": "hasAnyOf", "value": ["urgent"]}]}. Values are ' +
      'matched literally (quotes and braces are safe); empty cells match only isEmpty, !=, ' +
      'notContains, isNoneOf and hasNoneOf. With filterByFormula too, records must match both.',
  );

export const filterByFormulaInput = z
  .string()
  .min(1)
  .max(50_000)
  .optional()
  .describe(
    'Airtable formula; records where it is truthy are returned. Examples: {Status} = "Done", ' +
      'AND({Price} > 10, NOT({Archived})), IS_AFTER({Due}, TODAY()). Field names go in {braces}; ' +
      'text in double quotes with \\" and \\\\ escaped. Prefer "filter", which does the quoting.',
  );

/** Date-holding field types, by what their values are (airtable.com/developers/web/api/field-model). */
function dateKindOf(f: FieldModel): DateKind | undefined {
  const type =
    ['formula', 'rollup', 'multipleLookupValues'].includes(f.type) && f.options
      ? (f.options.result as { type?: unknown } | null | undefined)?.type
      : f.type;
  if (type === 'date') return 'day';
  if (type === 'dateTime' || type === 'createdTime' || type === 'lastModifiedTime')
    return 'instant';
  return undefined;
}

/**
 * The filterByFormula for `filter` AND `raw` AND `extra` (e.g. a text search), or undefined when
 * there is nothing to filter on. Reads the schema only when the filter has date conditions or
 * field ids. Problems with the filter become ToolInputErrors naming where they are.
 */
export async function recordFilterFormula(
  args: { filter?: FilterNode | undefined; filterByFormula?: string | undefined },
  schema: TableSchema,
  opts: { extra?: string; now?: number } = {},
): Promise<string | undefined> {
  if (args.filterByFormula !== undefined && !balancedFormula(args.filterByFormula))
    throw new ToolInputError(
      'filterByFormula has unbalanced parentheses or an unterminated string or {field}; fix the formula.',
    );
  let compiled: string | undefined;
  if (args.filter) {
    const filter = args.filter;
    const needsSchema =
      dateConditionFields(filter).length > 0 || filterFields(filter).some((f) => FIELD_ID.test(f));
    const table = needsSchema
      ? await schema.get('A filter with date conditions or field ids')
      : undefined;
    try {
      compiled = compileFilter(filter, {
        now: opts.now ?? Date.now(),
        fieldName: (key) => (table ? lookup(table, key).name : key),
        dateKind: (key) => {
          const f = lookup(table!, key);
          const kind = dateKindOf(f);
          if (!kind)
            throw new FilterError(
              '',
              `field "${f.name}" is a ${f.type} field; date conditions need a date, date-time, created or modified time field (or a formula/rollup with a date result)`,
            );
          return kind;
        },
      });
    } catch (err) {
      if (err instanceof FilterError) throw new ToolInputError(`Invalid filter: ${err.message}`);
      throw err;
    }
  }
  return allOf([opts.extra, compiled, args.filterByFormula]);
}

function lookup(table: Parameters<typeof findField>[0], key: string): FieldModel {
  try {
    return findField(table, key);
  } catch (err) {
    if (err instanceof ToolInputError) throw new FilterError('', err.message);
    throw err;
  }
}
