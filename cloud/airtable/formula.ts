/**
 * Building Airtable formulas from untrusted text (support.airtable.com "Formula field reference").
 * User text only ever goes inside a double-quoted string literal, with backslash and double quote
 * escaped, so it can never close the literal and add formula syntax. Field references are
 * `{Name}`; a `}` inside the name is escaped as `\}`. Names with a backslash cannot be referenced
 * unambiguously and are refused.
 */

/** `text` as a formula string literal: "..." with \ and " escaped, newlines as \n. */
export function formulaStringLiteral(text: string): string {
  const escaped = text
    .replace(/[\\"]/g, (c) => `\\${c}`)
    .replace(/\r\n|\r|\n/g, '\\n')
    // Other control characters have no escape in Airtable formulas; a space keeps words apart.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, ' ');
  return `"${escaped}"`;
}

/** True when `{name}` can reference this field safely. */
export function canReferenceField(name: string): boolean {
  return name.length > 0 && !name.includes('\\');
}

/** `{name}` with `}` escaped; throws on names canReferenceField refuses. */
export function formulaFieldRef(name: string): string {
  if (!canReferenceField(name)) {
    throw new RangeError(`field name "${name}" cannot be used in a formula (it contains "\\")`);
  }
  return `{${name.replace(/}/g, '\\}')}}`;
}

/**
 * Case-insensitive "contains" across fields: OR(SEARCH(LOWER("text"), LOWER({F} & "")), ...).
 * `& ""` turns numbers, arrays (multiple selects, links) and blanks into text first; SEARCH
 * returns the position (truthy) or nothing.
 */
export function searchFormula(text: string, fieldNames: readonly string[]): string {
  if (fieldNames.length === 0) throw new RangeError('searchFormula needs at least one field');
  const needle = `LOWER(${formulaStringLiteral(text)})`;
  const terms = fieldNames.map((f) => `SEARCH(${needle}, LOWER(${formulaFieldRef(f)} & ""))`);
  return `OR(${terms.join(', ')})`;
}
