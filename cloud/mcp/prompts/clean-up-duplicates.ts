/** clean_up_duplicates: find duplicate records, propose merges, change nothing until approved. */
import { z } from 'zod';
import { definePrompt } from './define-prompt';
import { baseIdArg, tableArg } from './prompt-args';

export const cleanUpDuplicatesPrompt = definePrompt({
  name: 'clean_up_duplicates',
  title: 'Clean up duplicates in a table',
  description:
    'Finds records that look like duplicates in one table, proposes which to keep and what to merge, and only after your approval merges them and deletes the rest.',
  args: {
    baseId: baseIdArg,
    table: tableArg,
    matchFields: z
      .string()
      .max(1000)
      .optional()
      .describe(
        'Optional: comma-separated field names that identify a duplicate (e.g. "Email" or "Name, Company").',
      ),
  },
  text: ({ baseId, table, matchFields }) =>
    [
      `Find and clean up duplicate records in table "${table}" of base ${baseId}.`,
      '',
      `1. Call describe_table (baseId ${baseId}, table "${table}") to learn the fields. Decide what makes two records the same: ${matchFields ? `the fields ${matchFields}` : 'the primary field plus identifying fields such as email, phone or name'}.`,
      '2. Read every record with list_records, asking only for those fields and a few that help tell records apart (fields), and follow the offset until none is returned.',
      '3. Group records whose values match after normalizing: trim, ignore case, collapse spaces; emails lower-case; phone numbers digits only.',
      '4. Show me each group: record ids, the values that differ, which record you would keep (the most complete, else the oldest createdTime) and which values you would copy into it.',
      '5. Stop and wait for my approval. Change nothing before I say yes.',
      '6. After I approve: check link fields (multipleRecordLinks) in other tables that point at the records to remove and relink them to the kept record with update_records; fill the kept record\'s empty fields with update_records (mode "merge"); then delete the others with one delete_records call; optionally note the merge with create_comment on the kept record.',
      '7. Report what changed, with record ids.',
    ].join('\n'),
});
