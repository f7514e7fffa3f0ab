/**
 * Tool results are kept under about 100,000 characters of JSON so they fit a model's context;
 * longer results are cut at a record boundary with a notice that says how to continue.
 */
export const MAX_RESULT_CHARS = 100_000;
/** Room left for the wrapper object (offset, notice, counts) around a list of items. */
const WRAPPER_ALLOWANCE = 2_000;
export const ITEMS_BUDGET_CHARS = MAX_RESULT_CHARS - WRAPPER_ALLOWANCE;

export function jsonLength(value: unknown): number {
  return JSON.stringify(value)?.length ?? 0;
}

/** The longest prefix of `items` whose JSON array fits in `budget` characters (minus `used`). */
export function fittingPrefix<T>(
  items: readonly T[],
  used = 0,
  budget = ITEMS_BUDGET_CHARS,
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
  budget = ITEMS_BUDGET_CHARS,
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
