/**
 * upload-attachment (airtable.com/developers/web/api/upload-attachment): POST
 * `{contentBaseUrl}/v0/{baseId}/{recordId}/{attachmentFieldIdOrName}/uploadAttachment` with JSON
 * `{contentType, file (base64), filename}`, at most 5 MB, scope data.records:write. It lives on
 * its own host (content.airtable.com, AIRTABLE_CONTENT_BASE_URL) but takes the same token and
 * counts against the same base's rate limit. The answer is the record with only the changed
 * cells, keyed by field id. Not retried: a repeat would attach the file twice.
 */
import { v0 } from './api-path';
import type { AirtableRequester, CallOptions } from './api-request';
import { RecordSchema, type AirtableRecord } from './api-schemas';

/** Airtable's documented limit, "up to 5 MB"; taken as 5 MiB (which of the two is UNVERIFIED). */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

export interface UploadedFile {
  contentType: string;
  /** The file, base64 (standard alphabet, padded). */
  base64: string;
  filename: string;
}

export class AirtableAttachmentsApi {
  constructor(private readonly http: AirtableRequester) {}

  upload(
    target: { contentBaseUrl: string; baseId: string; recordId: string; field: string },
    file: UploadedFile,
    o?: CallOptions,
  ): Promise<AirtableRecord> {
    return this.http.request({
      method: 'POST',
      origin: target.contentBaseUrl,
      path: v0(target.baseId, target.recordId, target.field, 'uploadAttachment'),
      body: { contentType: file.contentType, file: file.base64, filename: file.filename },
      schema: RecordSchema,
      idempotent: false,
      baseId: target.baseId,
      requiredScope: 'data.records:write',
      ...(o?.signal ? { signal: o.signal } : {}),
    });
  }
}
