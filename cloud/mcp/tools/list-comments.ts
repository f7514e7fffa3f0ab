/** list_comments: comments on a record, newest first, one page at a time, cut to fit. */
import { z } from 'zod';
import { commentOut } from '../comment-out';
import { READS } from '../annotations';
import { defineTool } from '../define-tool';
import { fittingPrefix, itemsBudget, maxResultChars } from '../result-size';
import {
  baseIdInput,
  commentOutput,
  noticeOutput,
  offsetInput,
  recordIdInput,
  tableInput,
} from '../schemas';

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
    notice: noticeOutput,
  }),
  annotations: READS,
  async run(args, ctx, signal) {
    const max = maxResultChars(ctx);
    let pageSize = args.pageSize;
    // A page too long for one answer is asked again with a smaller pageSize, so the offset
    // Airtable returns points exactly after what is shown (no comment skipped).
    for (;;) {
      const page = await ctx.airtable.listComments(
        args.baseId,
        args.table,
        args.recordId,
        { pageSize, ...(args.offset ? { offset: args.offset } : {}) },
        { signal },
      );
      const comments = page.items.map(commentOut);
      const fit = fittingPrefix(comments, 0, itemsBudget(max));
      if (fit.items.length < comments.length && fit.items.length > 0) {
        pageSize = fit.items.length;
        continue;
      }
      const data = page.offset ? { comments, offset: page.offset } : { comments };
      if (pageSize === args.pageSize) return { data };
      const notice = `Showing ${comments.length} comments to stay under ${max} characters; continue with the offset for older ones.`;
      return { data: { ...data, notice }, notice };
    }
  },
});
