/** create_comment: adds a comment (or a reply) to a record. */
import { z } from 'zod';
import { commentOut } from '../comment-out';
import { CREATES } from '../annotations';
import { defineTool } from '../define-tool';
import { baseIdInput, commentOutput, recordIdInput, tableInput } from '../schemas';

export const createCommentTool = defineTool({
  name: 'create_comment',
  title: 'Create comment',
  description:
    'Adds a comment to a record, visible to everyone with access to the base. Mention a ' +
    'collaborator with @[usr...]. Needs the data.recordComments:write scope.',
  input: z.object({
    baseId: baseIdInput,
    table: tableInput,
    recordId: recordIdInput,
    text: z
      .string()
      .max(10_000)
      .refine((s) => s.trim().length > 0, 'text must not be empty')
      .describe('Comment text.'),
    parentCommentId: z
      .string()
      .regex(/^com[A-Za-z0-9]{14}$/, 'a comment id is "com" followed by 14 letters or digits')
      .optional()
      .describe('To reply in a thread: the id of the comment being answered.'),
  }),
  output: commentOutput,
  annotations: CREATES,
  async run(args, ctx, signal) {
    const c = await ctx.airtable.createComment(
      args.baseId,
      args.table,
      args.recordId,
      {
        text: args.text,
        ...(args.parentCommentId ? { parentCommentId: args.parentCommentId } : {}),
      },
      { signal },
    );
    return { data: commentOut(c) };
  },
});
