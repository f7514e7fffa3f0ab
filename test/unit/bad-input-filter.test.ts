/**
 * The `filter` and `filterByFormula` arguments against anything a client can send: the input
 * schema refuses it, or the tool turns it into one formula that Airtable's grammar accepts (the
 * fake's parser) and that names only fields of the filter - or refuses it with a clear
 * ToolInputError. Never another exception, never a formula a value could break out of.
 */
import fc from 'fast-check';
import type { TableModel } from '../../cloud/airtable/api-schemas';
import { filterInput, recordFilterFormula } from '../../cloud/mcp/filter-input';
import type { TableSchema } from '../../cloud/mcp/table-schema';
import { ToolInputError } from '../../cloud/mcp/tool-errors';
import { FormulaSyntaxError } from '../../fake-airtable/formula/lexer';
import { parseFormula, referencedFields } from '../../fake-airtable/formula/parser';
import { hostileJson, hostileString, runs } from '../helpers/fuzz';

const table: TableModel = {
  id: 'tblAAAAAAAAAAAAAA',
  name: 'Tasks',
  primaryFieldId: 'fldAAAAAAAAAAAAAA',
  fields: [
    { id: 'fldAAAAAAAAAAAAAA', name: 'Name', type: 'singleLineText' },
    { id: 'fldBBBBBBBBBBBBBB', name: 'Due', type: 'date' },
    { id: 'fldCCCCCCCCCCCCCC', name: 'Seen', type: 'dateTime' },
    { id: 'fldDDDDDDDDDDDDDD', name: 'Count', type: 'number' },
    {
      id: 'fldEEEEEEEEEEEEEE',
      name: 'Next',
      type: 'formula',
      options: { result: { type: 'date' } },
    },
  ],
  views: [],
};
const schema = { get: async () => table, tables: async () => [table] } as unknown as TableSchema;
const KNOWN = new Set(table.fields.map((f) => f.name));

const node: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  n: fc.oneof(
    { depthSize: 'small' },
    fc.record(
      {
        field: fc.oneof(fc.constantFrom(...KNOWN, 'fldBBBBBBBBBBBBBB', 'Nope'), hostileString),
        op: fc.oneof(
          fc.constantFrom(
            '=',
            '!=',
            '<',
            '>=',
            'contains',
            'endsWith',
            'isEmpty',
            'isAnyOf',
            'hasAllOf',
            'isOn',
            'isBefore',
            'isWithin',
          ),
          hostileString,
        ),
        value: fc.oneof(
          hostileString,
          fc.constantFrom(
            'today',
            '2026-03-29',
            '2026-03-29T10:00',
            '2026-03-29T10:00:00+05:30',
            'pastWeek',
            'nextNumberOfDays',
          ),
          fc.double(),
          fc.integer(),
          fc.boolean(),
          fc.array(fc.oneof(hostileString, fc.integer()), { maxLength: 3 }),
          hostileJson,
        ),
        timeZone: fc.oneof(
          fc.constantFrom('UTC', 'Europe/Paris', 'utc', 'Etc/GMT+14'),
          hostileString,
        ),
        caseSensitive: fc.oneof(fc.boolean(), hostileJson),
        days: fc.oneof(fc.integer({ min: -2, max: 40_000 }), hostileJson),
      },
      { requiredKeys: [] },
    ),
    fc.array(tie('n'), { maxLength: 3 }).map((and) => ({ and })),
    fc.array(tie('n'), { maxLength: 3 }).map((or) => ({ or })),
    tie('n').map((not) => ({ not })),
    fc.dictionary(hostileString, tie('n'), { maxKeys: 2 }),
    hostileJson,
  ),
})).n;

it('any filter and raw formula: refused clearly, or one well-formed formula over the named fields', async () => {
  await fc.assert(
    fc.asyncProperty(
      node,
      fc.option(fc.oneof(hostileString, fc.constant('{Count} > 1')), { nil: undefined }),
      async (raw, formula) => {
        const parsed = filterInput.safeParse(raw);
        if (!parsed.success) return;
        let out: string | undefined;
        try {
          out = await recordFilterFormula(
            {
              filter: parsed.data,
              ...(formula !== undefined && formula !== '' ? { filterByFormula: formula } : {}),
            },
            schema,
          );
        } catch (err) {
          expect(err).toBeInstanceOf(ToolInputError);
          return;
        }
        if (out === undefined) return;
        if (formula !== undefined) {
          // The caller's own formula may be nonsense (Airtable answers 422); the filter's part may not.
          try {
            parseFormula(out);
          } catch (err) {
            expect(err).toBeInstanceOf(FormulaSyntaxError);
            return;
          }
          return;
        }
        for (const f of referencedFields(parseFormula(out))) expect(typeof f).toBe('string');
      },
    ),
    runs(500),
  );
});

it('a filter alone only ever references fields it names', async () => {
  await fc.assert(
    fc.asyncProperty(node, async (raw) => {
      const parsed = filterInput.safeParse(raw);
      if (!parsed.success || parsed.data === undefined) return;
      let out: string | undefined;
      try {
        out = await recordFilterFormula({ filter: parsed.data }, schema);
      } catch (err) {
        expect(err).toBeInstanceOf(ToolInputError);
        return;
      }
      const named = new Set<string>();
      const walk = (n: Record<string, unknown>) => {
        if (typeof n.field === 'string') {
          named.add(n.field);
          const byId = table.fields.find((f) => f.id === n.field);
          if (byId) named.add(byId.name);
        }
        for (const k of ['and', 'or'] as const)
          if (Array.isArray(n[k])) (n[k] as Record<string, unknown>[]).forEach(walk);
        if (n.not && typeof n.not === 'object') walk(n.not as Record<string, unknown>);
      };
      walk(parsed.data as Record<string, unknown>);
      for (const f of referencedFields(parseFormula(out!))) expect(named.has(f)).toBe(true);
    }),
    runs(500),
  );
});
