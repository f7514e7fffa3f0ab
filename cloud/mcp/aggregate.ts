/**
 * Counting and totalling records as they stream in (summarize_records): one accumulator per group,
 * each holding the requested metrics. Cell values are Airtable's JSON cell values
 * (airtable.com/developers/web/api/field-model): numbers for number, currency, percent (a
 * fraction), duration (seconds) and rating fields; arrays for lookups and multiple selects; ISO
 * text for dates. Airtable leaves empty cells out of records, so "absent" means empty.
 */

export const METRIC_OPS = [
  'sum',
  'avg',
  'min',
  'max',
  'countFilled',
  'countEmpty',
  'countUnique',
] as const;
export type MetricOp = (typeof METRIC_OPS)[number];

export interface MetricSpec {
  field: string;
  op: MetricOp;
}

export interface MetricResult {
  field: string;
  op: MetricOp;
  /** null when no value counted (e.g. the average of nothing). */
  value: number | string | null;
  /** How many values went into it (numbers for sum/avg, numbers or dates for min/max). */
  valuesUsed: number;
  /** Values of another kind that were skipped (e.g. text in a sum). */
  valuesSkipped?: number;
}

export type GroupValue = string | number | boolean | null;

/** At most this many distinct values are tracked for countUnique (per group and metric). */
export const MAX_UNIQUE_TRACKED = 10_000;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** The scalar items of a cell: arrays (lookups, multiple selects) count item by item. */
function items(v: unknown): unknown[] {
  return Array.isArray(v) ? v.flatMap(items) : [v];
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

/** How a cell reads as a group key or a distinct value: names for people, files and links. */
export function cellLabel(v: unknown): string {
  if (isEmpty(v)) return '';
  if (Array.isArray(v)) return v.map(cellLabel).join(', ');
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    for (const key of ['name', 'email', 'filename', 'text', 'id', 'url'])
      if (typeof o[key] === 'string') return o[key];
    return JSON.stringify(v);
  }
  return String(v);
}

class MetricAccumulator {
  private sum = 0;
  private numbers = 0;
  private skipped = 0;
  private minNum?: number;
  private maxNum?: number;
  private minDate?: string;
  private maxDate?: string;
  private dates = 0;
  private filled = 0;
  private records = 0;
  private readonly unique = new Set<string>();
  private uniqueOverflow = false;

  constructor(readonly spec: MetricSpec) {}

  add(v: unknown): void {
    this.records++;
    if (isEmpty(v)) return;
    this.filled++;
    if (this.spec.op === 'countUnique') {
      if (this.unique.size < MAX_UNIQUE_TRACKED) this.unique.add(cellLabel(v));
      else if (!this.unique.has(cellLabel(v))) this.uniqueOverflow = true;
      return;
    }
    if (this.spec.op === 'countFilled' || this.spec.op === 'countEmpty') return;
    for (const x of items(v)) {
      if (typeof x === 'number' && Number.isFinite(x)) {
        this.numbers++;
        this.sum += x;
        if (this.minNum === undefined || x < this.minNum) this.minNum = x;
        if (this.maxNum === undefined || x > this.maxNum) this.maxNum = x;
      } else if (
        (this.spec.op === 'min' || this.spec.op === 'max') &&
        typeof x === 'string' &&
        ISO_DATE.test(x) &&
        !Number.isNaN(Date.parse(x))
      ) {
        this.dates++;
        if (this.minDate === undefined || Date.parse(x) < Date.parse(this.minDate))
          this.minDate = x;
        if (this.maxDate === undefined || Date.parse(x) > Date.parse(this.maxDate))
          this.maxDate = x;
      } else if (!isEmpty(x)) {
        this.skipped++;
      }
    }
  }

  result(): MetricResult {
    const { field, op } = this.spec;
    const base = { field, op };
    const skipped = this.skipped > 0 ? { valuesSkipped: this.skipped } : {};
    switch (op) {
      case 'countFilled':
        return { ...base, value: this.filled, valuesUsed: this.filled };
      case 'countEmpty':
        return { ...base, value: this.records - this.filled, valuesUsed: this.records };
      case 'countUnique':
        return {
          ...base,
          value: this.unique.size,
          valuesUsed: this.filled,
          ...(this.uniqueOverflow ? { valuesSkipped: this.filled - this.unique.size } : {}),
        };
      case 'sum':
        return {
          ...base,
          value: this.numbers ? tidy(this.sum) : null,
          valuesUsed: this.numbers,
          ...skipped,
        };
      case 'avg':
        return {
          ...base,
          value: this.numbers ? tidy(this.sum / this.numbers) : null,
          valuesUsed: this.numbers,
          ...skipped,
        };
      case 'min':
      case 'max': {
        // Numbers when there are any; dates otherwise (a date field has no numbers).
        if (this.numbers > 0) {
          const value = op === 'min' ? this.minNum! : this.maxNum!;
          const dates = this.dates > 0 ? { valuesSkipped: this.skipped + this.dates } : skipped;
          return { ...base, value, valuesUsed: this.numbers, ...dates };
        }
        const value = (op === 'min' ? this.minDate : this.maxDate) ?? null;
        return { ...base, value, valuesUsed: this.dates, ...skipped };
      }
    }
  }
}

/** Floating-point noise off (0.1 + 0.2 -> 0.3), keeping 15 significant digits. */
function tidy(n: number): number {
  return Number(n.toPrecision(15));
}

export class GroupAccumulator {
  count = 0;
  private readonly metrics: MetricAccumulator[];

  constructor(
    readonly value: GroupValue,
    readonly label: string,
    specs: readonly MetricSpec[],
  ) {
    this.metrics = specs.map((s) => new MetricAccumulator(s));
  }

  add(fields: Readonly<Record<string, unknown>>): void {
    this.count++;
    for (const m of this.metrics)
      m.add(Object.hasOwn(fields, m.spec.field) ? fields[m.spec.field] : undefined);
  }

  results(): MetricResult[] {
    return this.metrics.map((m) => m.result());
  }
}

/** The key a record is grouped under: its value (arrays and objects by their label), or null. */
export function groupKey(v: unknown): { value: GroupValue; label: string } {
  if (isEmpty(v)) return { value: null, label: '(empty)' };
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
    return { value: v, label: String(v) };
  const label = cellLabel(v);
  return { value: label, label };
}

/** Records split by one field (or all in one group), with a cap on how many groups are kept. */
export class Summary {
  readonly total: GroupAccumulator;
  private readonly groups = new Map<string, GroupAccumulator>();
  /** Records whose group was not kept because maxGroups distinct groups already existed. */
  overflowRecords = 0;

  constructor(
    private readonly specs: readonly MetricSpec[],
    private readonly groupBy: string | undefined,
    private readonly maxGroups: number,
  ) {
    this.total = new GroupAccumulator(null, '(all)', specs);
  }

  add(fields: Readonly<Record<string, unknown>>): void {
    this.total.add(fields);
    if (this.groupBy === undefined) return;
    const key = groupKey(Object.hasOwn(fields, this.groupBy) ? fields[this.groupBy] : undefined);
    const id = JSON.stringify([typeof key.value, key.value]);
    let g = this.groups.get(id);
    if (!g) {
      if (this.groups.size >= this.maxGroups) {
        this.overflowRecords++;
        return;
      }
      g = new GroupAccumulator(key.value, key.label, this.specs);
      this.groups.set(id, g);
    }
    g.add(fields);
  }

  /** Groups, largest first (then by label). */
  sortedGroups(): GroupAccumulator[] {
    return [...this.groups.values()].sort(
      (a, b) => b.count - a.count || a.label.localeCompare(b.label),
    );
  }
}
