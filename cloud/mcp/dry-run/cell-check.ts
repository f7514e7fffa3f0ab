/**
 * Checks values to be written against a table's schema, as Airtable would when the write arrives
 * (airtable.com/developers/web/api/field-model, the "cell format" for writing each type; errors
 * UNKNOWN_FIELD_NAME, INVALID_VALUE_FOR_COLUMN, INVALID_MULTIPLE_CHOICE_OPTIONS,
 * ROW_DOES_NOT_EXIST). With typecast Airtable converts text and numbers, creates missing select
 * options and links records by their primary field text (creating them when none matches): those
 * side effects are reported as effects. Types this server does not know are passed as "not
 * checked", never refused.
 */
import type { FieldModel, TableModel } from '../../airtable/api-schemas';

export interface CellIssue {
  field: string;
  problem: string;
}

export interface Effect {
  field: string;
  effect: string;
}

/** What checking a set of records collects besides issues: effects and link targets to verify. */
export class CheckState {
  readonly effects: Effect[] = [];
  private readonly effectKeys = new Set<string>();
  private readonly plannedChoices = new Map<string, Set<string>>();
  /** Record ids written into link fields, by linked table id: they must exist. */
  readonly linkedIds = new Map<string, Set<string>>();
  readonly unchecked = new Set<string>();

  addEffect(field: string, effect: string): void {
    const key = `${field}\u0000${effect}`;
    if (this.effectKeys.has(key)) return;
    this.effectKeys.add(key);
    this.effects.push({ field, effect });
  }

  hasPlannedChoice(fieldId: string, name: string): boolean {
    return this.plannedChoices.get(fieldId)?.has(name) ?? false;
  }

  planChoice(fieldId: string, name: string): void {
    const set = this.plannedChoices.get(fieldId) ?? new Set<string>();
    set.add(name);
    this.plannedChoices.set(fieldId, set);
  }
}

/** Field types whose values Airtable computes: a write to one is refused (plans.ts skips them too). */
export const COMPUTED_FIELD_TYPES: ReadonlySet<string> = new Set([
  'formula',
  'rollup',
  'count',
  'multipleLookupValues',
  'autoNumber',
  'createdTime',
  'lastModifiedTime',
  'createdBy',
  'lastModifiedBy',
  'button',
  'externalSyncSource',
  'aiText',
]);
const TEXT = new Set([
  'singleLineText',
  'multilineText',
  'richText',
  'email',
  'url',
  'phoneNumber',
]);
const NUMBER = new Set(['number', 'currency', 'percent', 'duration']);
const RECORD_ID = /^rec[A-Za-z0-9]{14}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME =
  /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function validDay(s: string): boolean {
  const t = Date.parse(`${s.slice(0, 10)}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().startsWith(s.slice(0, 10));
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** The field a write key names: Airtable matches the exact id or the exact name. */
export function fieldForKey(table: TableModel, key: string): FieldModel | CellIssue {
  const f = table.fields.find((x) => x.id === key) ?? table.fields.find((x) => x.name === key);
  if (f) return f;
  const near = table.fields.find((x) => x.name.toLowerCase() === key.trim().toLowerCase());
  return {
    field: key,
    problem:
      `unknown field (Airtable: UNKNOWN_FIELD_NAME)` +
      (near
        ? `; names are exact: did you mean "${near.name}"?`
        : '; describe_table lists the fields'),
  };
}

function numeric(v: unknown, typecast: boolean): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typecast && typeof v === 'string' && v.trim() !== '') {
    const n = Number(v.replace(/[,\s$€£%]/g, ''));
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function choiceNames(f: FieldModel): string[] {
  const choices = f.options?.choices;
  if (!Array.isArray(choices)) return [];
  return choices
    .map((c) => (typeof c === 'object' && c !== null ? (c as { name?: unknown }).name : undefined))
    .filter((n): n is string => typeof n === 'string');
}

/** Checks one value for one field; returns the problem, or undefined when Airtable would take it. */
export function checkCell(
  f: FieldModel,
  v: unknown,
  typecast: boolean,
  state: CheckState,
): string | undefined {
  if (COMPUTED_FIELD_TYPES.has(f.type))
    return `"${f.type}" fields are computed and cannot be written (Airtable: INVALID_VALUE_FOR_COLUMN)`;
  if (v === null) return undefined; // clears the cell
  const bad = (expected: string) =>
    `expects ${expected}, got ${typeName(v)} (Airtable: INVALID_VALUE_FOR_COLUMN)` +
    (typecast ? '' : '; typecast: true lets Airtable convert it');
  if (TEXT.has(f.type)) {
    if (typeof v === 'string') return undefined;
    if (typecast && (typeof v === 'number' || typeof v === 'boolean')) return undefined;
    return bad('text');
  }
  if (NUMBER.has(f.type)) return numeric(v, typecast) === undefined ? bad('a number') : undefined;
  switch (f.type) {
    case 'rating': {
      const n = numeric(v, typecast);
      const max = typeof f.options?.max === 'number' ? f.options.max : 5;
      if (n === undefined || !Number.isInteger(n) || n < 0 || n > max)
        return `expects a whole number from 0 to ${max} (Airtable: INVALID_VALUE_FOR_COLUMN)`;
      return undefined;
    }
    case 'checkbox': {
      if (typeof v === 'boolean') return undefined;
      if (typecast && (typeof v === 'number' || typeof v === 'string')) return undefined;
      return bad('true or false');
    }
    case 'date': {
      if (typeof v !== 'string') return bad('a date "YYYY-MM-DD"');
      if ((ISO_DATE.test(v) || ISO_DATE_TIME.test(v)) && validDay(v)) return undefined;
      if (typecast && !Number.isNaN(Date.parse(v))) return undefined;
      return `"${v}" is not a date "YYYY-MM-DD" (Airtable: INVALID_VALUE_FOR_COLUMN)`;
    }
    case 'dateTime': {
      if (typeof v !== 'string') return bad('an ISO 8601 date-time');
      if (ISO_DATE_TIME.test(v) && validDay(v) && !Number.isNaN(Date.parse(v))) return undefined;
      if (typecast && !Number.isNaN(Date.parse(v))) return undefined;
      return `"${v}" is not an ISO 8601 date-time (Airtable: INVALID_VALUE_FOR_COLUMN)`;
    }
    case 'singleSelect':
      if (typeof v !== 'string') return bad('an option name');
      return v === '' ? undefined : checkChoice(f, v, typecast, state);
    case 'multipleSelects': {
      let list: unknown = v;
      if (typecast && typeof v === 'string')
        list = v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
      if (!Array.isArray(list) || list.some((x) => typeof x !== 'string'))
        return bad('an array of option names');
      for (const name of list as string[]) {
        const problem = checkChoice(f, name, typecast, state);
        if (problem) return problem;
      }
      return undefined;
    }
    case 'multipleRecordLinks':
      return checkLinks(f, v, typecast, state);
    case 'multipleAttachments': {
      if (!Array.isArray(v)) return bad('an array of attachments [{"url": "https://..."}]');
      for (const a of v) {
        const o = typeof a === 'object' && a !== null ? (a as Record<string, unknown>) : undefined;
        if (!o || (typeof o.id !== 'string' && typeof o.url !== 'string'))
          return 'each attachment is {"url": "https://...", "filename"?} or an existing {"id": "att..."} (Airtable: INVALID_VALUE_FOR_COLUMN)';
        if (typeof o.id !== 'string' && !/^https?:\/\//i.test(String(o.url)))
          return 'attachment urls must start with http:// or https:// (Airtable fetches them)';
      }
      return undefined;
    }
    case 'singleCollaborator':
      return collaborator(v)
        ? undefined
        : bad('a collaborator {"id": "usr..."} or {"email": "..."}');
    case 'multipleCollaborators':
      return Array.isArray(v) && v.every(collaborator)
        ? undefined
        : bad('an array of collaborators [{"id": "usr..."} or {"email": "..."}]');
    case 'barcode':
      return typeof v === 'object' &&
        v !== null &&
        typeof (v as { text?: unknown }).text === 'string'
        ? undefined
        : bad('a barcode {"text": "..."}');
    default:
      state.unchecked.add(f.name);
      return undefined;
  }
}

function collaborator(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return typeof o.id === 'string' || typeof o.email === 'string';
}

function checkChoice(
  f: FieldModel,
  name: string,
  typecast: boolean,
  state: CheckState,
): string | undefined {
  if (choiceNames(f).includes(name) || state.hasPlannedChoice(f.id, name)) return undefined;
  if (!typecast)
    return `"${name}" is not an option of this field (Airtable: INVALID_MULTIPLE_CHOICE_OPTIONS); options: ${
      choiceNames(f)
        .slice(0, 20)
        .map((c) => `"${c}"`)
        .join(', ') || '(none)'
    }; typecast: true creates it`;
  state.planChoice(f.id, name);
  state.addEffect(f.name, `creates the select option "${name}"`);
  return undefined;
}

function checkLinks(
  f: FieldModel,
  v: unknown,
  typecast: boolean,
  state: CheckState,
): string | undefined {
  let list: unknown = v;
  if (typecast && typeof v === 'string') list = [v];
  if (!Array.isArray(list) || list.some((x) => typeof x !== 'string'))
    return `expects an array of record ids ["rec..."], got ${typeName(v)} (Airtable: INVALID_VALUE_FOR_COLUMN)`;
  const linkedTable =
    typeof f.options?.linkedTableId === 'string' ? f.options.linkedTableId : undefined;
  for (const item of list as string[]) {
    if (RECORD_ID.test(item)) {
      if (linkedTable) {
        const set = state.linkedIds.get(linkedTable) ?? new Set<string>();
        set.add(item);
        state.linkedIds.set(linkedTable, set);
      }
    } else if (typecast) {
      state.addEffect(
        f.name,
        `links the record named "${item}" (Airtable creates one with that name when none has it)`,
      );
    } else {
      return `"${item}" is not a record id (Airtable: INVALID_VALUE_FOR_COLUMN); typecast: true links by name`;
    }
  }
  return undefined;
}

/** Checks every key and value of one record's fields. */
export function checkFields(
  table: TableModel,
  fields: Readonly<Record<string, unknown>>,
  typecast: boolean,
  state: CheckState,
): CellIssue[] {
  const issues: CellIssue[] = [];
  for (const [key, value] of Object.entries(fields)) {
    const f = fieldForKey(table, key);
    if ('problem' in f) {
      issues.push(f);
      continue;
    }
    const problem = checkCell(f, value, typecast, state);
    if (problem) issues.push({ field: key, problem });
  }
  return issues;
}
