/** Shapes Airtable's comment model (nullable fields) for tool output (absent instead of null). */
import type { AirtableComment } from '../airtable/api-schemas';

export function commentOut(c: AirtableComment) {
  return {
    id: c.id,
    text: c.text,
    createdTime: c.createdTime,
    ...(c.lastUpdatedTime ? { lastUpdatedTime: c.lastUpdatedTime } : {}),
    ...(c.parentCommentId ? { parentCommentId: c.parentCommentId } : {}),
    author: {
      id: c.author.id,
      ...(c.author.email ? { email: c.author.email } : {}),
      ...(c.author.name ? { name: c.author.name } : {}),
    },
  };
}
