/**
 * Field options: the defaults the admin API fills in, the validation the Web API applies when a
 * field is created (create-field / create-table: options are required for number, currency,
 * percent, date, dateTime, checkbox, select and link fields), and the shape returned by the
 * schema endpoints (airtable.com/developers/web/api/field-model).
 */
import { newId } from '../ids';
import type { Field, FieldOptions, SelectChoice } from '../state/model';
import type { FieldType } from './field-types';

const DATE_FORMATS: Record<string, string> = {
  local: 'l',
  friendly: 'LL',
  us: 'M/D/YYYY',
  european: 'D/M/YYYY',
  iso: 'YYYY-MM-DD',
};
const TIME_FORMATS: Record<string, string> = { '12hour': 'h:mma', '24hour': 'HH:mm' };

/** Raw options as received (admin or Web API); validated per type by `normalizeOptions`. */
export interface RawFieldOptions {
  precision?: unknown;
  symbol?: unknown;
  choices?: unknown;
  linkedTableId?: unknown;
  prefersSingleRecordLink?: unknown;
  dateFormat?: unknown;
  timeFormat?: unknown;
  timeZone?: unknown;
  icon?: unknown;
  color?: unknown;
  max?: unknown;
  formula?: unknown;
  durationFormat?: unknown;
  recordLinkFieldId?: unknown;
  fieldIdInLinkedTable?: unknown;
  [key: string]: unknown;
}

export class FieldOptionsError extends Error {
  override name = 'FieldOptionsError';
}

function need<T>(v: T | undefined, what: string, strict: boolean, dflt: T): T {
  if (v !== undefined) return v;
  if (strict) throw new FieldOptionsError(`options.${what} is required for this field type`);
  return dflt;
}

function precisionOf(raw: RawFieldOptions, strict: boolean, dflt: number): number {
  const p = need(raw.precision, 'precision', strict, dflt);
  if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > 8)
    throw new FieldOptionsError('options.precision must be an integer from 0 to 8');
  return p;
}

function formatOf(
  raw: unknown,
  table: Record<string, string>,
  what: string,
): { name: string; format: string } {
  const name =
    typeof raw === 'object' && raw !== null ? (raw as { name?: unknown }).name : undefined;
  if (typeof name !== 'string' || !(name in table))
    throw new FieldOptionsError(
      `options.${what}.name must be one of ${Object.keys(table).join(', ')}`,
    );
  return { name, format: table[name]! };
}

function choicesOf(raw: RawFieldOptions, strict: boolean): SelectChoice[] {
  const list = need(raw.choices, 'choices', strict, [] as unknown);
  if (!Array.isArray(list)) throw new FieldOptionsError('options.choices must be an array');
  const seen = new Set<string>();
  return list.map((c: unknown) => {
    const name = typeof c === 'string' ? c : (c as { name?: unknown } | null)?.name;
    if (typeof name !== 'string' || name === '')
      throw new FieldOptionsError('every choice needs a non-empty name');
    if (seen.has(name)) throw new FieldOptionsError(`duplicate choice "${name}"`);
    seen.add(name);
    const color = typeof c === 'object' && c ? (c as { color?: unknown }).color : undefined;
    return { id: newId('sel'), name, ...(typeof color === 'string' ? { color } : {}) };
  });
}

/**
 * Validates options for a new field of `type`. `strict` (the Web API) requires what Airtable
 * requires; the admin API fills in defaults instead. Link targets are resolved by the caller.
 */
export function normalizeOptions(
  type: FieldType,
  raw: RawFieldOptions | undefined,
  strict: boolean,
): FieldOptions | undefined {
  const o: RawFieldOptions = raw ?? {};
  switch (type) {
    case 'number':
    case 'percent':
      return { precision: precisionOf(o, strict, 0) };
    case 'currency': {
      const symbol = need(o.symbol, 'symbol', strict, '$');
      if (typeof symbol !== 'string')
        throw new FieldOptionsError('options.symbol must be a string');
      return { precision: precisionOf(o, strict, 2), symbol };
    }
    case 'rating': {
      const max = o.max ?? 5;
      if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 10)
        throw new FieldOptionsError('options.max must be an integer from 1 to 10');
      return { max, icon: typeof o.icon === 'string' ? o.icon : 'star', color: 'yellowBright' };
    }
    case 'duration':
      return { durationFormat: typeof o.durationFormat === 'string' ? o.durationFormat : 'h:mm' };
    case 'checkbox': {
      const icon = need(o.icon, 'icon', strict, 'check');
      const color = need(o.color, 'color', strict, 'greenBright');
      if (typeof icon !== 'string' || typeof color !== 'string')
        throw new FieldOptionsError('options.icon and options.color must be strings');
      return { icon, color };
    }
    case 'date':
      return {
        dateFormat: formatOf(
          need(o.dateFormat, 'dateFormat', strict, { name: 'iso' }),
          DATE_FORMATS,
          'dateFormat',
        ),
      };
    case 'dateTime': {
      const timeZone = need(o.timeZone, 'timeZone', strict, 'utc');
      if (typeof timeZone !== 'string')
        throw new FieldOptionsError('options.timeZone must be a string');
      return {
        dateFormat: formatOf(
          need(o.dateFormat, 'dateFormat', strict, { name: 'iso' }),
          DATE_FORMATS,
          'dateFormat',
        ),
        timeFormat: formatOf(
          need(o.timeFormat, 'timeFormat', strict, { name: '24hour' }),
          TIME_FORMATS,
          'timeFormat',
        ),
        timeZone,
      };
    }
    case 'singleSelect':
    case 'multipleSelects':
      return { choices: choicesOf(o, strict) };
    case 'multipleRecordLinks': {
      if (typeof o.linkedTableId !== 'string')
        throw new FieldOptionsError('options.linkedTableId is required for multipleRecordLinks');
      return {
        linkedTableId: o.linkedTableId,
        prefersSingleRecordLink: o.prefersSingleRecordLink === true,
      };
    }
    case 'formula': {
      if (typeof o.formula !== 'string')
        throw new FieldOptionsError('options.formula is required for formula fields');
      return { formula: o.formula };
    }
    case 'count': {
      if (typeof o.recordLinkFieldId !== 'string')
        throw new FieldOptionsError('options.recordLinkFieldId is required for count fields');
      return { recordLinkFieldId: o.recordLinkFieldId };
    }
    case 'multipleLookupValues':
    case 'rollup': {
      if (typeof o.recordLinkFieldId !== 'string' || typeof o.fieldIdInLinkedTable !== 'string')
        throw new FieldOptionsError(
          `options.recordLinkFieldId and options.fieldIdInLinkedTable are required for ${type} fields`,
        );
      const base = {
        recordLinkFieldId: o.recordLinkFieldId,
        fieldIdInLinkedTable: o.fieldIdInLinkedTable,
      };
      if (type === 'multipleLookupValues') return base;
      // Airtable's rollup functions take `values`, e.g. SUM(values), ARRAYJOIN(values, ", ").
      const formula = o.formula ?? 'ARRAYJOIN(values)';
      if (typeof formula !== 'string')
        throw new FieldOptionsError('options.formula of a rollup must be text');
      return { ...base, formula };
    }
    default:
      return undefined;
  }
}

/** What serializing options needs to know beyond the field itself. */
export interface OptionsResolver {
  /** Ids of the fields a formula references. */
  formulaFieldIds(formula: string): string[];
  /** The type of the field a lookup or rollup reads (in the linked table). */
  linkedFieldType(field: Field): string | undefined;
}

/** The `options` object the schema endpoints return for a field. */
export function serializeOptions(
  field: Field,
  resolver: OptionsResolver,
): Record<string, unknown> | undefined {
  const o = field.options;
  switch (field.type) {
    case 'number':
    case 'percent':
      return { precision: o?.precision ?? 0 };
    case 'currency':
      return { precision: o?.precision ?? 2, symbol: o?.symbol ?? '$' };
    case 'rating':
      return { max: o?.max ?? 5, icon: o?.icon ?? 'star', color: o?.color ?? 'yellowBright' };
    case 'duration':
      return { durationFormat: o?.durationFormat ?? 'h:mm' };
    case 'checkbox':
      return { icon: o?.icon ?? 'check', color: o?.color ?? 'greenBright' };
    case 'date':
      return { dateFormat: o?.dateFormat };
    case 'dateTime':
      return { dateFormat: o?.dateFormat, timeFormat: o?.timeFormat, timeZone: o?.timeZone };
    case 'singleSelect':
    case 'multipleSelects':
      return { choices: (o?.choices ?? []).map((c) => ({ ...c })) };
    case 'multipleRecordLinks':
      return {
        linkedTableId: o?.linkedTableId,
        isReversed: false,
        prefersSingleRecordLink: o?.prefersSingleRecordLink ?? false,
        ...(o?.inverseLinkFieldId ? { inverseLinkFieldId: o.inverseLinkFieldId } : {}),
      };
    case 'formula':
      return {
        formula: o?.formula ?? '',
        isValid: true,
        referencedFieldIds: resolver.formulaFieldIds(o?.formula ?? ''),
        result: { type: 'singleLineText' },
      };
    case 'createdTime':
    case 'lastModifiedTime':
      return {
        result: {
          type: 'dateTime',
          options: {
            dateFormat: { name: 'iso', format: 'YYYY-MM-DD' },
            timeFormat: { name: '24hour', format: 'HH:mm' },
            timeZone: 'utc',
          },
        },
      };
    case 'count':
      return { isValid: true, recordLinkFieldId: o?.recordLinkFieldId ?? null };
    case 'multipleLookupValues':
      return {
        isValid: true,
        recordLinkFieldId: o?.recordLinkFieldId ?? null,
        fieldIdInLinkedTable: o?.fieldIdInLinkedTable ?? null,
        result: { type: resolver.linkedFieldType(field) ?? 'singleLineText' },
      };
    case 'rollup': {
      // The result type follows the function: numbers for SUM/AVERAGE/MIN/MAX/COUNT..., text otherwise.
      const numeric = /^\s*(SUM|AVERAGE|MIN|MAX|COUNT|COUNTA|COUNTALL)\s*\(/i.test(
        o?.formula ?? '',
      );
      const dates = /^\s*(MIN|MAX)\s*\(/i.test(o?.formula ?? '');
      const linked = resolver.linkedFieldType(field);
      const dateResult = dates && (linked === 'date' || linked === 'dateTime') ? linked : undefined;
      return {
        isValid: true,
        recordLinkFieldId: o?.recordLinkFieldId ?? null,
        fieldIdInLinkedTable: o?.fieldIdInLinkedTable ?? null,
        referencedFieldIds: o?.fieldIdInLinkedTable ? [o.fieldIdInLinkedTable] : [],
        formula: o?.formula ?? 'ARRAYJOIN(values)',
        result: { type: dateResult ?? (numeric ? 'number' : 'singleLineText') },
      };
    }
    default:
      return undefined;
  }
}
