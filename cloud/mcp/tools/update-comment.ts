/** update_comment: replaces the text of a comment this user wrote. */
import { z } from 'zod';
import { CHANGES } from '../annotations';
import { asCommentAuthor } from '../comment-author';
import { commentOut } from '../comment-out';
import { defineTool } from '../define-tool';
import { baseIdInput, commentIdInput, commentOutput, recordIdInput, tableInput } from '../schemas';

export const updateCommentTool = defineTool({
  name: 'update_comment',
  title: 'Update comment',
  description:
    "Replaces the text of a comment on a record. Airtable allows it only for the comment's author (the " +
    'account of this connection, see whoami). Mention a collaborator with @[usr...]. Needs the ' +
    'data.recordComments:write scope.',
  input: z.object({
    baseId: baseIdInput,
    table: tableInput,
    recordId: recordIdInput,
    commentId: commentIdInput,
    text: z
      .string()
      .max(10_000)
      .refine((s) => s.trim().length > 0, 'text must not be empty')
      .describe('The new comment text (replaces the old one).'),
  }),
  output: commentOutput,
  annotations: CHANGES,
  async run(args, ctx, signal) {
    const c = await asCommentAuthor(ctx, 'edit', () =>
      ctx.airtable.updateComment(
        args.baseId,
        args.table,
        args.recordId,
        args.commentId,
        args.text,
        { signal },
      ),
    );
    return { data: commentOut(c) };
  },
});
