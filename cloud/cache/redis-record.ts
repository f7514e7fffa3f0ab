/**
 * A SessionRecord as JSON in Redis, and back. Redis is a boundary like any other (another build,
 * or anyone with access to it, may have written the value), so reading parses with zod and a value
 * that does not fit is treated as a miss. The record holds no secret: ids, user id, platform,
 * OAuth client/scopes/resource/grant, dates.
 */
import { z } from 'zod';
import type { SessionRecord } from '../storage/base';
import { decodeSessionData, encodeSessionData } from '../storage/codec';

const StoredRecordSchema = z.object({
  v: z.literal(1),
  id: z.string().min(1),
  userId: z.string().min(1),
  /** SessionData as UserSession.data stores it (codec.ts decides its shape). */
  data: z.string(),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
});

export function encodeRecord(record: SessionRecord): string {
  return JSON.stringify({
    v: 1,
    id: record.id,
    userId: record.userId,
    data: encodeSessionData(record.data),
    createdAt: record.createdAt.toISOString(),
    expiresAt: record.expiresAt.toISOString(),
  });
}

export function decodeRecord(raw: string): SessionRecord | undefined {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const parsed = StoredRecordSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const data = decodeSessionData(parsed.data.data);
  if (!data) return undefined;
  return {
    id: parsed.data.id,
    userId: parsed.data.userId,
    data,
    createdAt: new Date(parsed.data.createdAt),
    expiresAt: new Date(parsed.data.expiresAt),
  };
}
