/**
 * Checks a file given to upload_attachment as base64 before anything is sent: an optional
 * `data:<type>;base64,` prefix is taken off (its type kept), line breaks are ignored, base64url
 * is accepted, and a file over Airtable's 5 MB limit (airtable.com/developers/web/api/upload-attachment)
 * is refused here, not by Airtable.
 */
import { MAX_UPLOAD_BYTES } from '../airtable/api-attachments';
import { mediaTypeOf } from './attachment-source';
import { ToolInputError } from './tool-errors';

/** Base64 of a 5 MiB file, plus room for a data: prefix and line breaks. */
export const MAX_CONTENT_CHARS = Math.ceil(MAX_UPLOAD_BYTES / 3) * 4 + 200_000;

export const TOO_BIG_HINT =
  'Airtable uploads take at most 5 MB. For a bigger file at a public URL, pass url with urlMode "reference" (and table): Airtable then fetches it itself.';

export interface CheckedContent {
  /** Standard alphabet, padded. */
  base64: string;
  bytes: number;
  /** The media type of a data: URL prefix, when there was one. */
  dataUrlType?: string;
}

export function checkBase64Content(raw: string): CheckedContent {
  let text = raw.trim();
  let dataUrlType: string | undefined;
  const prefix = /^data:([^,;]*)((?:;[^,;]*)*);base64,/i.exec(text);
  if (prefix) {
    dataUrlType = mediaTypeOf(prefix[1]);
    text = text.slice(prefix[0].length);
  } else if (/^data:/i.test(text)) {
    throw new ToolInputError(
      'content is a data: URL that is not base64; send the file base64-encoded.',
    );
  }
  text = text.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (text.length === 0)
    throw new ToolInputError('content is empty; send the file base64-encoded.');
  if (!/^[A-Za-z0-9+/]+$/.test(text) || text.length % 4 === 1)
    throw new ToolInputError(
      'content is not valid base64: send the raw file bytes base64-encoded (A-Z, a-z, 0-9, +, /, = padding).',
    );
  const bytes = Math.floor((text.length * 3) / 4);
  if (bytes > MAX_UPLOAD_BYTES)
    throw new ToolInputError(
      `The file is ${bytes} bytes, over Airtable's ${MAX_UPLOAD_BYTES}-byte (5 MB) upload limit. ${TOO_BIG_HINT}`,
    );
  const base64 = text + '='.repeat((4 - (text.length % 4)) % 4);
  return { base64, bytes, ...(dataUrlType ? { dataUrlType } : {}) };
}
