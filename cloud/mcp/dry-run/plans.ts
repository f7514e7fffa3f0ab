/**
 * Dry runs of create_records, update_records and delete_records: what the call would do, worked
 * out with reads only (the table schema, the records concerned, linked records), never a write.
 * Airtable applies a write 10 records per request and stops at the first refused request, so a
 * plan with problems also says how many records a real run would write before stopping.
 */
import type { AirtableRecord, FieldModel, TableModel } from '../../airtable/api-schemas';
import { formulaFieldRef, formulaStringLiteral, canReferenceField } from '../../airtable/formula';
import { numberLiteral } from '../../airtable/filter-formula';
import { MAX_RECORDS_PER_WRITE } from '../../airtable/api-client';
import { chunk } from '../batching';
import { fittingPrefix, itemsBudget, jsonLength, maxResultChars } from '../result-size';
import { TableSchema } from '../table-schema';
import type { ToolContext } from '../tool-context';
import {
  CheckState,
  checkFields,
  COMPUTED_FIELD_TYPES,
  fieldForKey,
  type CellIssue,
  type Effect,
} from './cell-check';
import { recordsById } from './records-by-id';

export interface RecordIssue {
  /** Position of the record in the call's `records` (or `recordIds`). */
  record: number;
  field?: string;
  problem: string;
}

interface PlanBase {
  valid: boolean;
  issues: RecordIssue[];
  issueCount: number;
  effects: Effect[];
  notChecked: string[];
  notice?: string;
}

export interface CreatePlan extends PlanBase {
  wouldCreate: number;
  records: { index: number; fields: Record<string, unknown> }[];
}

export interface FieldChange {
  field: string;
  current: unknown;
  new: unknown;
}

export interface UpdatePlan extends PlanBase {
  wouldUpdate: number;
  wouldCreate: number;
  notFound: string[];
  records: {
    index: number;
    id?: string;
    action: 'update' | 'create';
    changes: FieldChange[];
    unchanged?: string[];
  }[];
}

export interface DeletePlan {
  wouldDelete: number;
  notFound: string[];
  records: { id: string; createdTime: string; fields: Record<string, unknown> }[];
  notice?: string;
}

const MAX_ISSUES_SHOWN = 100;
const MAX_LINKS_CHECKED = 1000;
const WHY = 'A dry run (checking values against the fields)';

interface Ctx {
  ctx: ToolContext;
  baseId: string;
  table: string;
  signal: AbortSignal;
}

// ---- shared ----

/** Record ids written into link fields that do not exist in the linked table. */
async function checkLinkedRecords(
  c: Ctx,
  tables: readonly TableModel[],
  table: TableModel,
  records: readonly { fields: Readonly<Record<string, unknown>> }[],
  state: CheckState,
): Promise<RecordIssue[]> {
  const total = [...state.linkedIds.values()].reduce((n, s) => n + s.size, 0);
  if (total === 0) return [];
  if (total > MAX_LINKS_CHECKED) {
    state.unchecked.add(
      `links (${total} linked record ids; at most ${MAX_LINKS_CHECKED} are checked)`,
    );
    return [];
  }
  const missing = new Map<string, Set<string>>();
  for (const [tableId, ids] of state.linkedIds) {
    const linked = tables.find((t) => t.id === tableId);
    if (!linked) continue;
    const found = await recordsById(c.ctx.airtable, c.baseId, tableId, [...ids], {
      signal: c.signal,
      fields: [linked.primaryFieldId],
    });
    missing.set(tableId, new Set([...ids].filter((id) => !found.has(id))));
  }
  const issues: RecordIssue[] = [];
  records.forEach((r, i) => {
    for (const [key, value] of Object.entries(r.fields)) {
      const f = fieldForKey(table, key);
      if ('problem' in f || f.type !== 'multipleRecordLinks' || !Array.isArray(value)) continue;
      const gone = missing.get(String(f.options?.linkedTableId));
      const name =
        tables.find((t) => t.id === f.options?.linkedTableId)?.name ?? 'the linked table';
      for (const id of value)
        if (typeof id === 'string' && gone?.has(id))
          issues.push({
            record: i,
            field: key,
            problem: `record ${id} does not exist in table "${name}" (Airtable: ROW_DOES_NOT_EXIST)`,
          });
    }
  });
  return issues;
}

function withIndex(i: number, list: CellIssue[]): RecordIssue[] {
  return list.map((x) => ({ record: i, ...x }));
}

/** How far a real run would get: batches of 10 stop at the first one with a problem. */
function partialRunNote(issues: readonly RecordIssue[], verb: string): string {
  const first = Math.min(...issues.map((x) => x.record));
  const batch = Math.floor(first / MAX_RECORDS_PER_WRITE);
  const before = batch * MAX_RECORDS_PER_WRITE;
  return (
    `Run as is, Airtable would refuse the request holding record ${first}` +
    (before > 0
      ? ` after ${before} records were ${verb} (requests of ${MAX_RECORDS_PER_WRITE})`
      : ' and nothing would be written') +
    '. Fix the issues first.'
  );
}

function base(issues: RecordIssue[], state: CheckState): PlanBase {
  return {
    valid: issues.length === 0,
    issues: issues.slice(0, MAX_ISSUES_SHOWN),
    issueCount: issues.length,
    effects: state.effects.slice(0, MAX_ISSUES_SHOWN),
    notChecked: [...state.unchecked],
  };
}

/** Keeps the preview list within the result budget; says so when it had to cut. */
function fitPreview<T>(
  plan: { records: T[] },
  rest: unknown,
  maxChars: number,
): string | undefined {
  const used = jsonLength(rest);
  const fit = fittingPrefix(plan.records, used, itemsBudget(maxChars));
  if (fit.items.length === plan.records.length) return undefined;
  const n = plan.records.length;
  plan.records = fit.items;
  return `Preview cut to ${fit.items.length} of ${n} records (result size limit); every record was checked.`;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

// ---- create ----

export async function planCreate(
  c: Ctx,
  records: readonly { fields: Record<string, unknown> }[],
  typecast: boolean,
): Promise<CreatePlan> {
  const schema = new TableSchema(c.ctx, c.baseId, c.table, c.signal);
  const tables = await schema.tables(WHY);
  const table = await schema.get(WHY);
  const state = new CheckState();
  const issues = records.flatMap((r, i) =>
    withIndex(i, checkFields(table, r.fields, typecast, state)),
  );
  issues.push(...(await checkLinkedRecords(c, tables, table, records, state)));
  issues.sort((a, b) => a.record - b.record);
  const plan: CreatePlan = {
    ...base(issues, state),
    wouldCreate: issues.length === 0 ? records.length : 0,
    records: records.map((r, index) => ({ index, fields: r.fields })),
  };
  const notices = [
    issues.length > 0 ? partialRunNote(issues, 'created') : undefined,
    fitPreview(plan, { ...plan, records: [] }, maxResultChars(c.ctx)),
  ].filter(Boolean);
  return notices.length ? { ...plan, notice: notices.join(' ') } : plan;
}

// ---- update / upsert ----

export interface UpdateArgs {
  records: readonly { id?: string | undefined; fields: Record<string, unknown> }[];
  replace: boolean;
  typecast: boolean;
  fieldsToMergeOn?: readonly string[] | undefined;
}

function diff(
  table: TableModel,
  current: AirtableRecord | undefined,
  fields: Readonly<Record<string, unknown>>,
  replace: boolean,
): { changes: FieldChange[]; unchanged: string[] } {
  const changes: FieldChange[] = [];
  const unchanged: string[] = [];
  const mentioned = new Set<string>();
  for (const [key, value] of Object.entries(fields)) {
    const f = fieldForKey(table, key);
    if ('problem' in f) continue;
    mentioned.add(f.id);
    const now = current?.fields[f.name] ?? null;
    const next = value === '' ? null : value;
    if (sameValue(now, next)) unchanged.push(f.name);
    else changes.push({ field: f.name, current: now, new: next });
  }
  if (replace && current)
    for (const f of table.fields)
      if (
        !mentioned.has(f.id) &&
        !COMPUTED_FIELD_TYPES.has(f.type) &&
        current.fields[f.name] !== undefined
      )
        changes.push({ field: f.name, current: current.fields[f.name], new: null });
  return { changes, unchanged };
}

/** Existing records whose merge fields equal a record's values (exact text, number or date). */
async function mergeCandidates(
  c: Ctx,
  mergeFields: readonly FieldModel[],
  records: readonly { fields: Readonly<Record<string, unknown>> }[],
): Promise<AirtableRecord[]> {
  const found = new Map<string, AirtableRecord>();
  for (const part of chunk(records, 20)) {
    const terms = part.map((r) => {
      const eqs = mergeFields.map((f) => {
        const v = r.fields[f.name] ?? r.fields[f.id];
        const ref = formulaFieldRef(f.name);
        if (typeof v === 'number' && Number.isFinite(v)) return `${ref} = ${numberLiteral(v)}`;
        return `${ref} & "" = ${formulaStringLiteral(v === undefined || v === null ? '' : String(v))}`;
      });
      return eqs.length === 1 ? eqs[0]! : `AND(${eqs.join(', ')})`;
    });
    let offset: string | undefined;
    do {
      const page = await c.ctx.airtable.listRecords(
        c.baseId,
        c.table,
        {
          filterByFormula: terms.length === 1 ? terms[0]! : `OR(${terms.join(', ')})`,
          pageSize: 100,
          ...(offset ? { offset } : {}),
        },
        { signal: c.signal },
      );
      for (const r of page.records) found.set(r.id, r);
      offset = page.offset;
    } while (offset);
  }
  return [...found.values()];
}

function mergeValueMatches(cell: unknown, value: unknown): boolean {
  if (cell === undefined || cell === null)
    return value === undefined || value === null || value === '';
  if (typeof value === 'number') return cell === value;
  return String(cell) === String(value);
}

export async function planUpdate(c: Ctx, args: UpdateArgs): Promise<UpdatePlan> {
  const schema = new TableSchema(c.ctx, c.baseId, c.table, c.signal);
  const tables = await schema.tables(WHY);
  const table = await schema.get(WHY);
  const state = new CheckState();
  const issues: RecordIssue[] = [];
  args.records.forEach((r, i) =>
    issues.push(...withIndex(i, checkFields(table, r.fields, args.typecast, state))),
  );
  issues.push(...(await checkLinkedRecords(c, tables, table, args.records, state)));

  const byId = args.records.flatMap((r) => (r.id ? [r.id] : []));
  const current = byId.length
    ? await recordsById(c.ctx.airtable, c.baseId, c.table, byId, { signal: c.signal })
    : new Map<string, AirtableRecord>();

  // Upsert: records without an id are matched on fieldsToMergeOn.
  let mergeFields: FieldModel[] = [];
  let candidates: AirtableRecord[] = [];
  const withoutId = args.records.filter((r) => !r.id);
  if (args.fieldsToMergeOn && withoutId.length > 0) {
    for (const key of args.fieldsToMergeOn) {
      const f = fieldForKey(table, key);
      if ('problem' in f)
        issues.push({ record: 0, field: key, problem: `fieldsToMergeOn: ${f.problem}` });
      else if (!canReferenceField(f.name))
        issues.push({
          record: 0,
          field: key,
          problem: 'this field name cannot be matched in a dry run (it contains "\\")',
        });
      else mergeFields.push(f);
    }
    if (mergeFields.length !== args.fieldsToMergeOn.length) mergeFields = [];
    else candidates = await mergeCandidates(c, mergeFields, withoutId);
  }

  const notFound: string[] = [];
  const planned: UpdatePlan['records'] = [];
  args.records.forEach((r, index) => {
    if (r.id) {
      const cur = current.get(r.id);
      if (!cur) {
        notFound.push(r.id);
        issues.push({
          record: index,
          problem: `record ${r.id} is not in this table (Airtable: NOT_FOUND)`,
        });
        return;
      }
      planned.push({
        index,
        id: r.id,
        action: 'update',
        ...diff(table, cur, r.fields, args.replace),
      });
      return;
    }
    if (mergeFields.length === 0) return;
    const missing = mergeFields.filter(
      (f) => r.fields[f.name] === undefined && r.fields[f.id] === undefined,
    );
    if (missing.length > 0) {
      issues.push({
        record: index,
        problem: `needs a value for ${missing.map((f) => `"${f.name}"`).join(', ')} (fieldsToMergeOn) to be matched`,
      });
      return;
    }
    const matches = candidates.filter((cand) =>
      mergeFields.every((f) =>
        mergeValueMatches(cand.fields[f.name], r.fields[f.name] ?? r.fields[f.id]),
      ),
    );
    if (matches.length > 1) {
      issues.push({
        record: index,
        problem: `${matches.length} existing records match on fieldsToMergeOn (${matches
          .slice(0, 5)
          .map((m) => m.id)
          .join(', ')}); Airtable refuses an ambiguous upsert`,
      });
      return;
    }
    const match = matches[0];
    if (match)
      planned.push({
        index,
        id: match.id,
        action: 'update',
        ...diff(table, match, r.fields, args.replace),
      });
    else planned.push({ index, action: 'create', ...diff(table, undefined, r.fields, false) });
  });
  for (const p of planned) if (p.unchanged?.length === 0) delete p.unchanged;

  issues.sort((a, b) => a.record - b.record);
  const valid = issues.length === 0;
  const plan: UpdatePlan = {
    ...base(issues, state),
    wouldUpdate: valid ? planned.filter((p) => p.action === 'update').length : 0,
    wouldCreate: valid ? planned.filter((p) => p.action === 'create').length : 0,
    notFound,
    records: planned,
  };
  const verb = args.fieldsToMergeOn ? 'written' : 'updated';
  const notices = [
    issues.length > 0 ? partialRunNote(issues, verb) : undefined,
    fitPreview(plan, { ...plan, records: [] }, maxResultChars(c.ctx)),
  ].filter(Boolean);
  return notices.length ? { ...plan, notice: notices.join(' ') } : plan;
}

// ---- delete ----

export async function planDelete(c: Ctx, recordIds: readonly string[]): Promise<DeletePlan> {
  const current = await recordsById(c.ctx.airtable, c.baseId, c.table, recordIds, {
    signal: c.signal,
  });
  const notFound = recordIds.filter((id) => !current.has(id));
  const plan: DeletePlan = {
    // Airtable refuses the whole request (10 ids) holding an unknown id.
    wouldDelete: notFound.length === 0 ? recordIds.length : 0,
    notFound,
    records: recordIds.flatMap((id) => {
      const r = current.get(id);
      return r ? [{ id: r.id, createdTime: r.createdTime, fields: r.fields }] : [];
    }),
  };
  const missingAt = recordIds.flatMap((id, record) =>
    current.has(id) ? [] : [{ record, problem: '' }],
  );
  const notices = [
    notFound.length > 0
      ? `${notFound.length} of the ids are not records of this table. ${partialRunNote(missingAt, 'deleted')}`
      : undefined,
    fitPreview(plan, { ...plan, records: [] }, maxResultChars(c.ctx)),
  ].filter(Boolean);
  return notices.length ? { ...plan, notice: notices.join(' ') } : plan;
}
