/**
 * Tool results are kept under a size budget so they fit a model's context: 100,000 characters of
 * JSON by default, MCP_MAX_RESULT_CHARS for the process (cloud/config.ts, applied by cloud/app.ts)
 * or ToolContext.limits for one connection. Longer results are cut at an item boundary with a
 * notice and a continuation (offset) that says how to get the rest.
 */
import type { ToolContext } from './tool-context';

export const DEFAULT_MAX_RESULT_CHARS = 100_000;
export const MIN_MAX_RESULT_CHARS = 10_000;
export const MAX_MAX_RESULT_CHARS = 1_000_000;
/** Room left for the wrapper object (offset, notice, counts) around a list of items. */
const WRAPPER_ALLOWANCE = 2_000;

let processMax = DEFAULT_MAX_RESULT_CHARS;

/** Sets the process-wide budget (from MCP_MAX_RESULT_CHARS); out-of-range values are clamped. */
export function configureResultSize(maxChars: number): void {
  processMax = Math.min(MAX_MAX_RESULT_CHARS, Math.max(MIN_MAX_RESULT_CHARS, Math.floor(maxChars)));
}

/** The budget of one tool call, in characters of JSON. */
export function maxResultChars(ctx?: Pick<ToolContext, 'limits'>): number {
  const own = ctx?.limits?.maxResultChars;
  if (own === undefined) return processMax;
  return Math.min(MAX_MAX_RESULT_CHARS, Math.max(MIN_MAX_RESULT_CHARS, Math.floor(own)));
}

/** The part of a budget the listed items may use (the rest is for the wrapper object). */
export function itemsBudget(maxChars: number): number {
  return maxChars - WRAPPER_ALLOWANCE;
}

export function jsonLength(value: unknown): number {
  return JSON.stringify(value)?.length ?? 0;
}

/** The longest prefix of `items` whose JSON array fits in `budget` characters (minus `used`). */
export function fittingPrefix<T>(
  items: readonly T[],
  used = 0,
  budget = itemsBudget(processMax),
): { items: T[]; chars: number } {
  let chars = used;
  let n = 0;
  for (const item of items) {
    const len = jsonLength(item) + 1; // + the comma
    if (chars + len > budget) break;
    chars += len;
    n++;
  }
  return { items: items.slice(0, n), chars };
}

/**
 * For one record bigger than the budget (long text cells hold up to 100,000 characters each):
 * shortens its longest text values until the whole fits, marking each cut. Returns the names of
 * the fields that were cut.
 */
export function shortenLongTexts(
  fields: Record<string, unknown>,
  budget = itemsBudget(processMax),
): { fields: Record<string, unknown>; cut: string[] } {
  let over = jsonLength(fields) - budget;
  if (over <= 0) return { fields, cut: [] };
  const out = { ...fields };
  const cut: string[] = [];
  const texts = Object.entries(out)
    .filter((e): e is [string, string] => typeof e[1] === 'string')
    .sort((a, b) => b[1].length - a[1].length);
  for (const [name, value] of texts) {
    if (over <= 0) break;
    const keep = Math.max(0, value.length - over - 100);
    out[name] = `${value.slice(0, keep)}... [cut: ${value.length - keep} more characters]`;
    cut.push(name);
    over = jsonLength(out) - budget;
  }
  return { fields: out, cut };
}

/**
 * Items from position `start` that fit the budget, and the position to continue from when some
 * are left. At least one item is returned when any remain, so a caller always makes progress;
 * `oversized` says that this one item alone is over the budget.
 */
export function pageFrom<T>(
  items: readonly T[],
  start: number,
  maxChars: number,
): { items: T[]; next?: number; oversized?: boolean } {
  const rest = items.slice(start);
  const fit = fittingPrefix(rest, 0, itemsBudget(maxChars));
  let shown = fit.items;
  let oversized = false;
  if (shown.length === 0 && rest.length > 0) {
    shown = rest.slice(0, 1);
    oversized = true;
  }
  const next = start + shown.length;
  return {
    items: shown,
    ...(next < items.length ? { next } : {}),
    ...(oversized ? { oversized } : {}),
  };
}
