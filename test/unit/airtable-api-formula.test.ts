/**
 * Formula building from untrusted text: whatever the text, it stays one string literal (checked
 * with the fake Airtable's formula lexer, which follows Airtable's escaping rules).
 */
import fc from 'fast-check';
import { formulaFieldRef, formulaStringLiteral, searchFormula } from '../../cloud/airtable/formula';
import { tokenize } from '../../fake-airtable/formula/lexer';

describe('formulaStringLiteral', () => {
  it('escapes quotes and backslashes', () => {
    expect(formulaStringLiteral('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(formulaStringLiteral('line1\nline2')).toBe('"line1\\nline2"');
  });

  it('any text becomes exactly one string token with the same value', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        const tokens = tokenize(formulaStringLiteral(s));
        expect(tokens).toHaveLength(2); // the string, then end of input
        const expected = s
          .replace(/\r\n|\r/g, '\n')
          // eslint-disable-next-line no-control-regex
          .replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, ' ');
        expect(tokens[0]).toMatchObject({ kind: 'str', value: expected });
      }),
    );
  });
});

describe('formulaFieldRef', () => {
  it('escapes a closing brace and refuses backslashes', () => {
    expect(formulaFieldRef('Name')).toBe('{Name}');
    expect(formulaFieldRef('a}b')).toBe('{a\\}b}');
    expect(tokenize(formulaFieldRef('we}ird {name}'))[0]).toMatchObject({
      kind: 'field',
      name: 'we}ird {name}',
    });
    expect(() => formulaFieldRef('back\\slash')).toThrow(RangeError);
  });
});

describe('searchFormula', () => {
  it('ORs a case-insensitive SEARCH over each field', () => {
    expect(searchFormula('Hi "x"', ['Name', 'Notes'])).toBe(
      'OR(SEARCH(LOWER("Hi \\"x\\""), LOWER({Name} & "")), SEARCH(LOWER("Hi \\"x\\""), LOWER({Notes} & "")))',
    );
    expect(() => searchFormula('x', [])).toThrow(RangeError);
  });
});
