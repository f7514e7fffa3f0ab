/**
 * upload_attachment: adds a file to an attachment field of a record, three ways:
 * - `content` (base64, up to 5 MB): sent to Airtable's upload-attachment endpoint on the content
 *   host (airtable.com/developers/web/api/upload-attachment);
 * - `url` with urlMode "fetch": this server downloads the file with the SSRF-safe fetcher
 *   (public https addresses only, 5 MB, 10 s) and uploads it the same way;
 * - `url` with urlMode "reference": the record's cell is rewritten with its current attachments
 *   (by id) plus `{url, filename}`, and Airtable fetches the URL itself
 *   (airtable.com/developers/web/api/field-model#multipleattachment); no size limit of ours.
 */
import { z } from 'zod';
import { AttachmentSchema, type AirtableAttachment } from '../../airtable/api-schemas';
import { SafeFetchError } from '../../http/safe-fetch';
import { CREATES } from '../annotations';
import { checkBase64Content, MAX_CONTENT_CHARS, TOO_BIG_HINT } from '../attachment-input';
import { attachmentSettings, mediaTypeOf } from '../attachment-source';
import { defineTool, type ToolSuccess } from '../define-tool';
import {
  baseIdInput,
  fieldNameInput,
  isFieldId,
  noticeOutput,
  recordIdInput,
  tableInput,
} from '../schemas';
import type { ToolContext } from '../tool-context';
import { ToolInputError } from '../tool-errors';

const attachmentOutput = z.looseObject({
  id: z.string().describe('Attachment id (att...).'),
  url: z
    .string()
    .describe('Where Airtable serves the file (a signed URL that expires after hours).'),
  filename: z.string(),
  size: z.number().nullish().describe('Bytes, once Airtable has the file.'),
  type: z.string().nullish().describe('Media type, e.g. image/png.'),
});

const input = z.object({
  baseId: baseIdInput,
  recordId: recordIdInput.describe('The record to attach the file to (it must exist).'),
  field: fieldNameInput.describe(
    'The attachment field: its id (fld..., preferred) or exact name. It must be of type multipleAttachments.',
  ),
  content: z
    .string()
    .max(MAX_CONTENT_CHARS, `content is longer than a 5 MB file in base64. ${TOO_BIG_HINT}`)
    .optional()
    .describe(
      'The file itself, base64-encoded (a data: URL prefix is accepted), at most 5 MB decoded. Give content or url, not both.',
    ),
  url: z
    .string()
    .max(4000)
    .optional()
    .describe(
      'Or a public URL of the file. With urlMode "fetch" (default) this server downloads it (https, public hosts only, up to 5 MB) and uploads it; with "reference" Airtable fetches it itself (any size).',
    ),
  urlMode: z
    .enum(['fetch', 'reference'])
    .default('fetch')
    .describe(
      'For url only. fetch: downloaded here and uploaded (5 MB max). reference: the URL is written to the cell and Airtable downloads it (needs table; the URL must stay reachable until Airtable has copied it).',
    ),
  table: tableInput
    .optional()
    .describe('Table id or name of the record; required with urlMode "reference".'),
  filename: z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe(
      'File name shown in Airtable, e.g. "report.pdf". Required with content; with url it defaults to the name the server or URL gives.',
    ),
  contentType: z
    .string()
    .max(255)
    .optional()
    .describe(
      'Media type, e.g. "image/png" or "application/pdf". Defaults to the data: URL type, the downloaded file\'s type, or application/octet-stream.',
    ),
});

const output = z.object({
  recordId: z.string(),
  field: z.string().describe('The field as given.'),
  fieldId: z.string().optional().describe('The field id, when Airtable reported it.'),
  attachments: z
    .array(attachmentOutput)
    .describe('Every attachment in the cell after the change; the new one is last.'),
  added: z.object({
    filename: z.string(),
    contentType: z.string().optional(),
    size: z.number().int().optional().describe('Bytes sent (content or fetched url).'),
    via: z
      .enum(['upload', 'reference'])
      .describe('upload: the bytes were sent to Airtable; reference: Airtable fetches the URL.'),
  }),
  notice: noticeOutput,
});

type Out = z.output<typeof output>;
type Args = z.output<typeof input>;

function contentTypeOrThrow(...candidates: (string | undefined)[]): string {
  const given = candidates.find((c) => c !== undefined);
  if (given === undefined) return 'application/octet-stream';
  const type = mediaTypeOf(given);
  if (!type)
    throw new ToolInputError(
      `contentType "${given.slice(0, 100)}" is not a media type like "image/png".`,
    );
  return type;
}

function attachmentsIn(value: unknown, field: string): AirtableAttachment[] {
  if (value === undefined || value === null) return [];
  const parsed = z.array(AttachmentSchema).safeParse(value);
  if (!parsed.success)
    throw new ToolInputError(
      `Field "${field}" does not hold attachments; name an attachment field (type multipleAttachments, see describe_table).`,
    );
  return parsed.data;
}

async function upload(
  args: Args,
  ctx: ToolContext,
  signal: AbortSignal,
  file: { base64: string; bytes: number; filename: string; contentType: string },
): Promise<ToolSuccess<Out>> {
  const settings = attachmentSettings(ctx.attachments);
  const rec = await ctx.airtable.attachments.upload(
    {
      contentBaseUrl: settings.contentBaseUrl,
      baseId: args.baseId,
      recordId: args.recordId,
      field: args.field,
    },
    { base64: file.base64, filename: file.filename, contentType: file.contentType },
    { signal },
  );
  // The answer is keyed by field id and holds only the changed cell.
  const keys = Object.keys(rec.fields);
  const key = isFieldId(args.field) ? args.field : keys.length === 1 ? keys[0] : undefined;
  const attachments = key === undefined ? [] : attachmentsIn(rec.fields[key], args.field);
  return {
    data: {
      recordId: rec.id,
      field: args.field,
      ...(key !== undefined ? { fieldId: key } : {}),
      attachments,
      added: {
        filename: file.filename,
        contentType: file.contentType,
        size: file.bytes,
        via: 'upload',
      },
    },
  };
}

async function reference(args: Args, ctx: ToolContext, signal: AbortSignal, url: string) {
  if (!args.table)
    throw new ToolInputError(
      'urlMode "reference" needs table (the table id or name of the record).',
    );
  if (!/^https?:\/\/\S+$/i.test(url))
    throw new ToolInputError('url must be an http(s) URL that Airtable can reach.');
  const byId = isFieldId(args.field);
  const current = await ctx.airtable.getRecord(
    args.baseId,
    args.table,
    args.recordId,
    { returnFieldsByFieldId: byId },
    { signal },
  );
  const kept = attachmentsIn(current.fields[args.field], args.field).map((a) => ({ id: a.id }));
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ToolInputError('url is not a valid URL.');
  }
  const filename = args.filename ?? (parsed.pathname.split('/').pop() || undefined);
  const added = { url, ...(filename ? { filename } : {}) };
  // Airtable replaces the whole cell: send the attachments it has (by id) plus the new one.
  const [written] = await ctx.airtable.updateRecords(
    args.baseId,
    args.table,
    [{ id: args.recordId, fields: { [args.field]: [...kept, added] } }],
    { returnFieldsByFieldId: byId },
    { signal },
  );
  const attachments = attachmentsIn(written?.fields[args.field], args.field);
  const notice =
    'Airtable downloads the file in the background; until it has, the attachment shows the URL given. The URL must stay reachable until then.';
  const data: Out = {
    recordId: args.recordId,
    field: args.field,
    ...(byId ? { fieldId: args.field } : {}),
    attachments,
    added: {
      filename: filename || url,
      ...(args.contentType ? { contentType: args.contentType } : {}),
      via: 'reference',
    },
    notice,
  };
  return { data, notice };
}

export const uploadAttachmentTool = defineTool({
  name: 'upload_attachment',
  title: 'Upload attachment',
  description:
    'Adds a file to an attachment field of an existing record, keeping the files already there. Give the file as ' +
    'base64 content (up to 5 MB), or as a public url that this server downloads (https, up to 5 MB) or, with ' +
    'urlMode "reference", that Airtable downloads itself (any size). Needs the data.records:write scope.',
  input,
  output,
  annotations: CREATES,
  async run(args, ctx, signal) {
    if ((args.content === undefined) === (args.url === undefined))
      throw new ToolInputError('Give exactly one of content (base64) or url.');
    if (args.content !== undefined) {
      if (!args.filename)
        throw new ToolInputError('filename is required with content, e.g. "photo.png".');
      const checked = checkBase64Content(args.content);
      return upload(args, ctx, signal, {
        base64: checked.base64,
        bytes: checked.bytes,
        filename: args.filename,
        contentType: contentTypeOrThrow(args.contentType, checked.dataUrlType),
      });
    }
    const url = args.url!;
    if (args.urlMode === 'reference') return reference(args, ctx, signal, url);
    let file;
    try {
      file = await attachmentSettings(ctx.attachments).fetchRemoteFile(url, signal);
    } catch (err) {
      if (!(err instanceof SafeFetchError)) throw err;
      if (err.reason === 'aborted') throw new ToolInputError('The request was cancelled.');
      const hint =
        err.reason === 'too_large'
          ? ` ${TOO_BIG_HINT}`
          : err.reason === 'non_public' || err.reason === 'bad_url'
            ? ' Only public https URLs can be fetched.'
            : '';
      throw new ToolInputError(`Could not fetch ${url.slice(0, 200)}: ${err.message}${hint}`);
    }
    return upload(args, ctx, signal, {
      base64: file.bytes.toString('base64'),
      bytes: file.bytes.length,
      filename: args.filename ?? file.filename ?? 'file',
      contentType: contentTypeOrThrow(args.contentType, file.contentType),
    });
  },
});
