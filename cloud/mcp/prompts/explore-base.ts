/** explore_base: "explain this base to me", read-only. */
import { z } from 'zod';
import { baseSchemaUri } from '../resources/base-schema';
import { definePrompt } from './define-prompt';
import { baseIdArg } from './prompt-args';

export const exploreBasePrompt = definePrompt({
  name: 'explore_base',
  title: 'Explore this base',
  description:
    'Walks the assistant through an Airtable base: its tables, fields, links between tables, views and sample records, then a plain-language summary. Changes nothing.',
  args: {
    baseId: baseIdArg,
    focus: z
      .string()
      .max(500)
      .optional()
      .describe('Optional: what you care about most (e.g. "sales pipeline", "data quality").'),
  },
  text: ({ baseId, focus }) =>
    [
      `Explore the Airtable base ${baseId} and explain it to me. Only read; do not change anything.`,
      '',
      `1. Read the schema: the resource ${baseSchemaUri(baseId)} if you can read resources, otherwise list_tables with baseId ${baseId} and detailLevel "fields".`,
      '2. For each table (the ten most relevant if there are many), call describe_table for field types and options, and list_records with maxRecords 5 and a handful of fields to see real values.',
      '3. Map the relationships: multipleRecordLinks fields name the linked table (options.linkedTableId); lookups, rollups and formulas show what is derived.',
      '4. Call list_views to see how the team slices the data (grid, kanban, calendar...).',
      '5. Summarize: what the base is for; each table in one line with its key fields; how tables link; views worth knowing; data-quality issues you noticed (empty or inconsistent values, duplicate-looking records); and three questions I could ask next.',
      ...(focus ? ['', `Pay special attention to: ${focus}`] : []),
    ].join('\n'),
});
