/**
 * Airtable lets only a comment's author edit or delete it (airtable.com/developers/web/api/update-comment,
 * delete-comment) and answers others with 403 INVALID_PERMISSIONS: that answer gets an
 * explanation instead of the generic "scope or base access" hint.
 */
import { AirtableApiError } from '../airtable/api-errors';
import type { ToolContext } from './tool-context';
import { ToolInputError } from './tool-errors';

export async function asCommentAuthor<T>(
  ctx: ToolContext,
  verb: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AirtableApiError && err.status === 403 && err.type === 'INVALID_PERMISSIONS')
      throw new ToolInputError(
        `Airtable refused to ${verb} the comment (403 INVALID_PERMISSIONS): only its author can, and this connection ` +
          `acts as ${ctx.user.userId}; list_comments shows each comment's author. It also needs at least comment access to the base.`,
      );
    throw err;
  }
}
