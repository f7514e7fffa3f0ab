/** delete_comment: deletes a comment this user wrote. */
import { z } from 'zod';
import { CHANGES } from '../annotations';
import { asCommentAuthor } from '../comment-author';
import { defineTool } from '../define-tool';
import { baseIdInput, commentIdInput, recordIdInput, tableInput } from '../schemas';

export const deleteCommentTool = defineTool({
  name: 'delete_comment',
  title: 'Delete comment',
  description:
    "Deletes a comment from a record. Airtable allows it only for the comment's author (the account of this " +
    'connection, see whoami); it cannot be undone. Confirm with the user first. Needs the ' +
    'data.recordComments:write scope.',
  input: z.object({
    baseId: baseIdInput,
    table: tableInput,
    recordId: recordIdInput,
    commentId: commentIdInput,
  }),
  output: z.object({
    id: z.string().describe('The deleted comment id.'),
    deleted: z.boolean(),
  }),
  annotations: CHANGES,
  async run(args, ctx, signal) {
    const res = await asCommentAuthor(ctx, 'delete', () =>
      ctx.airtable.deleteComment(args.baseId, args.table, args.recordId, args.commentId, {
        signal,
      }),
    );
    return { data: { id: res.id, deleted: res.deleted } };
  },
});
