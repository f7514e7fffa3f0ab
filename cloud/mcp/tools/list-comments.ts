/** list_comments: comments on a record, newest first, one page at a time. */
import { z } from 'zod';
import { commentOut } from '../comment-out';
import { READS } from '../annotations';
import { defineTool } from '../define-tool';
import { baseIdInput, commentOutput, offsetInput, recordIdInput, tableInput } from '../schemas';

export const listCommentsTool = defineTool({
  name: 'list_comments',
  title: 'List comments',
  description:
    'Lists the comments on one record, newest first (up to 100 per call), with an offset for older ' +
    'ones. Needs the data.recordComments:read scope.',
  input: z.object({
    baseId: baseIdInput,
    table: tableInput,
    recordId: recordIdInput,
    pageSize: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(100)
      .describe('Comments to return (1-100, default 100).'),
    offset: offsetInput,
  }),
  output: z.object({
    comments: z.array(commentOutput),
    offset: z
      .string()
      .optional()
      .describe('Present when older comments remain: pass it as offset to get them.'),
  }),
  annotations: READS,
  async run(args, ctx, signal) {
    const page = await ctx.airtable.listComments(
      args.baseId,
      args.table,
      args.recordId,
      { pageSize: args.pageSize, ...(args.offset ? { offset: args.offset } : {}) },
      { signal },
    );
    const comments = page.items.map(commentOut);
    return { data: page.offset ? { comments, offset: page.offset } : { comments } };
  },
});
