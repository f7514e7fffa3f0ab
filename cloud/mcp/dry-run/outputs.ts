/** Output schemas of the `dryRun` part of create_records, update_records and delete_records. */
import { z } from 'zod';

const issues = {
  valid: z.boolean().describe('true when Airtable would accept every record as given.'),
  issues: z
    .array(
      z.object({
        record: z.number().int().describe('Position in the records (or recordIds) argument.'),
        field: z.string().optional(),
        problem: z.string().describe("What Airtable would refuse, with Airtable's error type."),
      }),
    )
    .describe('Problems found (at most 100 shown).'),
  issueCount: z.number().int(),
  effects: z
    .array(z.object({ field: z.string(), effect: z.string() }))
    .describe('Side effects of typecast: select options created, records linked by name.'),
  notChecked: z.array(z.string()).describe('Fields or checks this dry run could not verify.'),
  notice: z.string().optional(),
};

const change = z.object({
  field: z.string(),
  current: z.unknown().describe('Value now (null: empty).'),
  new: z.unknown().describe('Value after the write (null: cleared).'),
});

export const createDryRunOutput = z
  .object({
    ...issues,
    wouldCreate: z.number().int(),
    records: z
      .array(z.object({ index: z.number().int(), fields: z.record(z.string(), z.unknown()) }))
      .describe('The records that would be created.'),
  })
  .optional()
  .describe('Present for dryRun: true. Nothing was written.');

export const updateDryRunOutput = z
  .object({
    ...issues,
    wouldUpdate: z.number().int(),
    wouldCreate: z
      .number()
      .int()
      .describe('Upsert: records that match nothing and would be created.'),
    notFound: z.array(z.string()).describe('Record ids that are not in this table.'),
    records: z
      .array(
        z.object({
          index: z.number().int(),
          id: z.string().optional().describe('The record that would change (absent: created).'),
          action: z.enum(['update', 'create']),
          changes: z.array(change).describe('Fields whose value would change.'),
          unchanged: z
            .array(z.string())
            .optional()
            .describe('Fields given with the value they already have.'),
        }),
      )
      .describe('Per record: current and new values.'),
  })
  .optional()
  .describe('Present for dryRun: true. Nothing was written.');

export const deleteDryRunOutput = z
  .object({
    wouldDelete: z.number().int(),
    notFound: z.array(z.string()).describe('Ids that are not records of this table.'),
    records: z
      .array(
        z.object({
          id: z.string(),
          createdTime: z.string(),
          fields: z.record(z.string(), z.unknown()),
        }),
      )
      .describe('The records that would be deleted, as they are now.'),
    notice: z.string().optional(),
  })
  .optional()
  .describe('Present for dryRun: true. Nothing was deleted.');

export const dryRunInput = z
  .boolean()
  .default(false)
  .describe(
    'true: check everything against the table (field names, value types, select options, linked ' +
      'records) and return what would change, writing nothing. Needs schema.bases:read.',
  );
