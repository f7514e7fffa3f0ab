/**
 * Record comments (airtable.com/developers/web/api/list-comments, create-comment, update-comment,
 * delete-comment): data.recordComments:read / :write; writing needs "comment" permission. Lists
 * are newest first, pages of up to 100, `offset` null on the last page. Only the author may edit
 * or delete a comment.
 */
import { z } from 'zod';
import { ApiError, invalidRequest } from '../http/errors';
import { newId } from '../ids';
import type { Comment, Table } from '../state/model';
import { recordOrThrow, recordsTable } from './records-access';
import { jsonBody, onlyQueryParams, parseWith, type ApiRequest } from './request';

const textBody = z.strictObject({ text: z.string().min(1).max(100_000) });

function commentModel(r: ApiRequest, c: Comment) {
  const author = r.ctx.store.users.get(c.authorId);
  return {
    id: c.id,
    author: { id: c.authorId, email: author?.email ?? '', name: author?.name ?? '' },
    text: c.text,
    createdTime: new Date(c.createdTime).toISOString(),
    lastUpdatedTime: c.lastUpdatedTime === null ? null : new Date(c.lastUpdatedTime).toISOString(),
  };
}

export function listComments(r: ApiRequest): unknown {
  onlyQueryParams(r.url, /^(pageSize|offset)$/);
  const { table } = recordsTable(r, 'data.recordComments:read', 'read');
  const row = recordOrThrow(table, r.params.recordId!);
  const rawSize = r.url.searchParams.get('pageSize');
  const pageSize = rawSize === null ? 100 : Number(rawSize);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100)
    throw invalidRequest('pageSize must be between 1 and 100');
  const newestFirst = [...row.comments].reverse();
  const offset = r.url.searchParams.get('offset');
  let start = 0;
  if (offset !== null) {
    start = newestFirst.findIndex((c) => c.id === offset);
    if (start < 0) throw new ApiError(422, 'INVALID_OFFSET_VALUE', 'The offset is invalid.');
  }
  const next = newestFirst[start + pageSize];
  return {
    comments: newestFirst.slice(start, start + pageSize).map((c) => commentModel(r, c)),
    offset: next ? next.id : null,
  };
}

export async function createComment(r: ApiRequest): Promise<unknown> {
  onlyQueryParams(r.url, /^$/);
  const { table } = recordsTable(r, 'data.recordComments:write', 'comment');
  const row = recordOrThrow(table, r.params.recordId!);
  const body = parseWith(textBody, await jsonBody(r));
  const comment: Comment = {
    id: newId('com'),
    authorId: r.principal.userId,
    text: body.text,
    createdTime: r.ctx.clock.now(),
    lastUpdatedTime: null,
  };
  row.comments.push(comment);
  return commentModel(r, comment);
}

function ownComment(r: ApiRequest, table: Table): { list: Comment[]; comment: Comment } {
  const row = recordOrThrow(table, r.params.recordId!);
  const comment = row.comments.find((c) => c.id === r.params.commentId);
  if (!comment)
    throw new ApiError(404, 'NOT_FOUND', `Could not find comment ${r.params.commentId}`);
  if (comment.authorId !== r.principal.userId)
    throw new ApiError(403, 'INVALID_PERMISSIONS', 'Only the author of a comment can change it');
  return { list: row.comments, comment };
}

export async function updateComment(r: ApiRequest): Promise<unknown> {
  onlyQueryParams(r.url, /^$/);
  const { table } = recordsTable(r, 'data.recordComments:write', 'comment');
  const { comment } = ownComment(r, table);
  comment.text = parseWith(textBody, await jsonBody(r)).text;
  comment.lastUpdatedTime = r.ctx.clock.now();
  return commentModel(r, comment);
}

export function deleteComment(r: ApiRequest): unknown {
  onlyQueryParams(r.url, /^$/);
  const { table } = recordsTable(r, 'data.recordComments:write', 'comment');
  const { list, comment } = ownComment(r, table);
  list.splice(list.indexOf(comment), 1);
  return { id: comment.id, deleted: true };
}
