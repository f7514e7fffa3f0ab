/**
 * Formula injection, end to end through Airtable's formula semantics (the fake's parser and
 * evaluator): for any search text and any field names we can reference, searchFormula parses,
 * references exactly the fields it was given, and matches a record exactly when one of those
 * fields contains the text (ignoring case) - whatever quotes, braces, backslashes or formula
 * syntax the text holds.
 */
import fc from 'fast-check';
import { canReferenceField, searchFormula } from '../../cloud/airtable/formula';
import { evaluateSafely } from '../../fake-airtable/formula/evaluator';
import { parseFormula, referencedFields } from '../../fake-airtable/formula/parser';
import { isTruthy } from '../../fake-airtable/formula/values';
import { hostileString, runs } from '../helpers/fuzz';

/** What the formula sees of a text: CR/LF as LF, other control characters as spaces. */
function asFormulaText(s: string): string {
  return (
    s
      .replace(/\r\n|\r/g, '\n')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, ' ')
  );
}

function matches(formula: string, fields: Map<string, string>): boolean {
  const value = evaluateSafely(parseFormula(formula), {
    field: (name) => fields.get(name) ?? null,
    recordId: 'recAAAAAAAAAAAAAA',
    createdTime: '2026-01-01T00:00:00.000Z',
    lastModifiedTime: '2026-01-01T00:00:00.000Z',
    now: Date.now(),
  });
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? false
    : isTruthy(value);
}

const fieldName = hostileString.filter((n) => n.length > 0 && canReferenceField(n));

describe('searchFormula against Airtable formula semantics', () => {
  it('references exactly the given fields, whatever the text', () => {
    fc.assert(
      fc.property(
        hostileString,
        fc.uniqueArray(fieldName, { minLength: 1, maxLength: 4 }),
        (text, names) => {
          const refs = referencedFields(parseFormula(searchFormula(text, names)));
          expect([...refs].sort()).toEqual([...names].sort());
        },
      ),
      runs(300),
    );
  });

  it('matches a record exactly when a searched field contains the text', () => {
    fc.assert(
      fc.property(
        hostileString.filter((t) => t.length > 0),
        fc.uniqueArray(fieldName, { minLength: 1, maxLength: 3 }),
        fc.array(hostileString, { minLength: 3, maxLength: 3 }),
        fc.boolean(),
        (text, names, values, plant) => {
          // A Map: field names like "__proto__" are names, not object internals.
          const fields = new Map<string, string>();
          names.forEach((n, i) => fields.set(n, values[i] ?? ''));
          if (plant) fields.set(names[0]!, `${values[0]}${text}${values[1]}`);
          const needle = asFormulaText(text).toLowerCase();
          const expected = names.some((n) =>
            asFormulaText(fields.get(n) ?? '')
              .toLowerCase()
              .includes(needle),
          );
          // Field values are stored text, not formula text: compare as Airtable would see them.
          const stored = new Map([...fields].map(([k, v]) => [k, asFormulaText(v)]));
          expect(matches(searchFormula(text, names), stored)).toBe(expected);
          if (plant) expect(expected).toBe(true);
        },
      ),
      runs(300),
    );
  });
});
