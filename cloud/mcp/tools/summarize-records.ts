/**
 * summarize_records: counts, sums, averages, minimums and maximums over every record that matches
 * a filter or view, optionally per value of one field, read within a budget of records and time
 * that the answer reports (cloud/mcp/record-scan.ts).
 */
import { z } from 'zod';
import { METRIC_OPS, Summary, type GroupAccumulator, type MetricSpec } from '../aggregate';
import { READS } from '../annotations';
import { defineTool } from '../define-tool';
import { filterByFormulaInput, filterInput, recordFilterFormula } from '../filter-input';
import { scanRecords } from '../record-scan';
import { maxResultChars, pageFrom } from '../result-size';
import {
  baseIdInput,
  fieldNameInput,
  nextPositionOutput,
  noticeOutput,
  positionInput,
  tableInput,
  viewInput,
} from '../schemas';
import { TableSchema } from '../table-schema';
import { findField } from '../table-lookup';

/** Safe caps: a call must finish well within what MCP clients wait for a tool (about a minute). */
export const SUMMARY_MAX_RECORDS = 50_000;
export const SUMMARY_MAX_SECONDS = 60;
const MAX_GROUPS_TRACKED = 5_000;
const FIELD_ID = /^fld[A-Za-z0-9]{14}$/;

const metricOutput = z.object({
  field: z.string(),
  op: z.enum(METRIC_OPS),
  value: z
    .union([z.number(), z.string(), z.null()])
    .describe('The result; text for min/max of dates; null when there was nothing to use.'),
  valuesUsed: z.number().int().describe('Values that went into it.'),
  valuesSkipped: z
    .number()
    .int()
    .optional()
    .describe('Values of another kind left out (e.g. text in a sum).'),
});

const groupOutput = z.object({
  value: z
    .union([z.string(), z.number(), z.boolean(), z.null()])
    .describe(
      'The groupBy value (null: empty cells; lists and links as their joined text or ids).',
    ),
  label: z.string(),
  count: z.number().int().describe('Records in this group.'),
  metrics: z.array(metricOutput),
});

export const summarizeRecordsTool = defineTool({
  name: 'summarize_records',
  title: 'Summarize records',
  description:
    'Counts records and computes sums, averages, minimums, maximums, filled/empty and distinct ' +
    'counts of fields over every record matching a filter and/or view, optionally grouped by one ' +
    'field (e.g. total Amount per Status). Reads the records page by page within a budget (maxRecords, ' +
    'maxSeconds) and says whether it saw them all; when the budget cut it short the figures cover ' +
    'only the records scanned: narrow the filter or raise the budget. Use it instead of listing ' +
    'records to count or total them.',
  input: z.object({
    baseId: baseIdInput,
    table: tableInput,
    filter: filterInput,
    filterByFormula: filterByFormulaInput,
    view: viewInput.optional(),
    groupBy: fieldNameInput
      .optional()
      .describe('Field whose values split the records into groups (e.g. "Status").'),
    metrics: z
      .array(
        z.object({
          field: fieldNameInput.describe('Field name (or id).'),
          op: z
            .enum(METRIC_OPS)
            .describe(
              'sum, avg, min, max (numbers; min/max also dates), countFilled, countEmpty, countUnique.',
            ),
        }),
      )
      .max(20)
      .default([])
      .describe(
        'What to compute besides the record count, e.g. [{"field": "Amount", "op": "sum"}].',
      ),
    maxRecords: z
      .number()
      .int()
      .min(1)
      .max(SUMMARY_MAX_RECORDS)
      .default(10_000)
      .describe(
        `Record budget: stop after reading this many (default 10000, at most ${SUMMARY_MAX_RECORDS}). ` +
          'Airtable serves about 500 records a second.',
      ),
    maxSeconds: z
      .number()
      .int()
      .min(1)
      .max(SUMMARY_MAX_SECONDS)
      .default(25)
      .describe(`Time budget in seconds (default 25, at most ${SUMMARY_MAX_SECONDS}).`),
    offset: positionInput('groups'),
  }),
  output: z.object({
    complete: z.boolean().describe('true when every matching record was read.'),
    stoppedBecause: z
      .enum(['maxRecords', 'maxSeconds'])
      .optional()
      .describe('Which budget ended the scan early (absent when complete).'),
    scannedRecords: z.number().int().describe('Records read (all matching ones when complete).'),
    budget: z.object({
      maxRecords: z.number().int(),
      maxSeconds: z.number().int(),
      airtableRequests: z.number().int().describe('Airtable requests made.'),
      elapsedMs: z.number().int(),
    }),
    totals: z.object({
      count: z.number().int(),
      metrics: z.array(metricOutput),
    }),
    groupBy: z.string().optional(),
    groups: z.array(groupOutput).optional().describe('Largest groups first.'),
    totalGroups: z.number().int().optional(),
    nextOffset: nextPositionOutput('groups'),
    notice: noticeOutput,
  }),
  annotations: READS,
  async run(args, ctx, signal) {
    const schema = new TableSchema(ctx, args.baseId, args.table, signal);
    // Field ids are fine for Airtable's fields[], but records come back keyed by name.
    const keys = [...(args.groupBy ? [args.groupBy] : []), ...args.metrics.map((m) => m.field)];
    const table = keys.some((k) => FIELD_ID.test(k))
      ? await schema.get('Naming fields by id in summarize_records')
      : undefined;
    const nameOf = (k: string) => (table ? findField(table, k).name : k);
    const groupBy = args.groupBy !== undefined ? nameOf(args.groupBy) : undefined;
    const specs: MetricSpec[] = args.metrics.map((m) => ({ field: nameOf(m.field), op: m.op }));
    const formula = await recordFilterFormula(args, schema);
    const fields = [...new Set([...(groupBy ? [groupBy] : []), ...specs.map((s) => s.field)])];
    const summary = new Summary(specs, groupBy, MAX_GROUPS_TRACKED);
    const scan = await scanRecords(
      ctx.airtable,
      args.baseId,
      args.table,
      {
        ...(formula ? { filterByFormula: formula } : {}),
        ...(args.view ? { view: args.view } : {}),
        ...(fields.length > 0 ? { fields } : {}),
      },
      { maxRecords: args.maxRecords, maxMs: args.maxSeconds * 1000 },
      (records) => {
        for (const r of records) summary.add(r.fields);
      },
      { signal },
    );
    const notices: string[] = [];
    if (!scan.complete)
      notices.push(
        `Incomplete: stopped after ${scan.scanned} records because the ${scan.stoppedBecause === 'maxSeconds' ? `time budget (${args.maxSeconds} s)` : `record budget (${args.maxRecords})`} ran out; ` +
          'every figure covers only the records scanned. Narrow the filter, or raise maxRecords / maxSeconds.',
      );
    const data = {
      complete: scan.complete,
      ...(scan.stoppedBecause ? { stoppedBecause: scan.stoppedBecause } : {}),
      scannedRecords: scan.scanned,
      budget: {
        maxRecords: args.maxRecords,
        maxSeconds: args.maxSeconds,
        airtableRequests: scan.requests,
        elapsedMs: Math.round(scan.elapsedMs),
      },
      totals: { count: summary.total.count, metrics: summary.total.results() },
    };
    if (groupBy === undefined) {
      const notice = notices.join(' ');
      return notice ? { data: { ...data, notice }, notice } : { data };
    }
    const all = summary.sortedGroups().map(groupOut);
    const page = pageFrom(all, args.offset, maxResultChars(ctx) - JSON.stringify(data).length);
    if (summary.overflowRecords > 0)
      notices.push(
        `Only the first ${MAX_GROUPS_TRACKED} distinct values of "${groupBy}" were kept as groups; ` +
          `${summary.overflowRecords} records of other values are in the totals only.`,
      );
    if (page.next !== undefined)
      notices.push(
        `Showing groups ${args.offset + 1}-${page.next} of ${all.length} (result size limit); ` +
          `call again with offset ${page.next} for more (the records are read again).`,
      );
    const notice = notices.join(' ');
    const out = {
      ...data,
      groupBy,
      groups: page.items,
      totalGroups: all.length,
      ...(page.next !== undefined ? { nextOffset: page.next } : {}),
    };
    return notice ? { data: { ...out, notice }, notice } : { data: out };
  },
});

function groupOut(g: GroupAccumulator) {
  return { value: g.value, label: g.label, count: g.count, metrics: g.results() };
}
