/**
 * zod schemas for every Airtable Web API response the client reads
 * (airtable.com/developers/web/api/introduction and the per-endpoint pages cited below).
 * They check what we rely on and strip the rest; optional strings accept null because Airtable
 * sends null for some absent values (e.g. a comment list's final offset).
 */
import { z } from 'zod';

/** Cell values are any JSON (text, numbers, arrays of ids, attachment objects...). */
export const FieldValuesSchema = z.record(z.string(), z.unknown());

/** airtable.com/developers/web/api/get-user-id-scopes */
export const WhoamiSchema = z.object({
  id: z.string(),
  email: z.string().nullish(),
  scopes: z.array(z.string()).nullish(),
});
export type Whoami = z.infer<typeof WhoamiSchema>;

/** airtable.com/developers/web/api/list-bases */
export const BaseSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  permissionLevel: z.string(),
});
export type BaseSummary = z.infer<typeof BaseSummarySchema>;
export const ListBasesResponseSchema = z.object({
  bases: z.array(BaseSummarySchema),
  offset: z.string().nullish(),
});

/** airtable.com/developers/web/api/model/field-type */
export const FieldModelSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  description: z.string().nullish(),
  options: z.record(z.string(), z.unknown()).nullish(),
});
export type FieldModel = z.infer<typeof FieldModelSchema>;

export const ViewModelSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  visibleFieldIds: z.array(z.string()).nullish(),
});
export type ViewModel = z.infer<typeof ViewModelSchema>;

/** airtable.com/developers/web/api/model/table-model */
export const TableModelSchema = z.object({
  id: z.string(),
  name: z.string(),
  primaryFieldId: z.string(),
  description: z.string().nullish(),
  fields: z.array(FieldModelSchema),
  views: z.array(ViewModelSchema).default([]),
});
export type TableModel = z.infer<typeof TableModelSchema>;

/** airtable.com/developers/web/api/get-base-schema */
export const BaseSchemaResponseSchema = z.object({ tables: z.array(TableModelSchema) });

/** airtable.com/developers/web/api/list-records, get-record */
export const RecordSchema = z.object({
  id: z.string(),
  createdTime: z.string(),
  fields: FieldValuesSchema,
  commentCount: z.number().nullish(),
});
export type AirtableRecord = z.infer<typeof RecordSchema>;

export const ListRecordsResponseSchema = z.object({
  records: z.array(RecordSchema),
  offset: z.string().nullish(),
});
export type RecordsPage = { records: AirtableRecord[]; offset?: string };

/** airtable.com/developers/web/api/create-records, update-multiple-records */
export const RecordsResponseSchema = z.object({ records: z.array(RecordSchema) });

/** Upsert answers (update-multiple-records with performUpsert) also list what was created. */
export const UpsertResponseSchema = z.object({
  records: z.array(RecordSchema),
  createdRecords: z.array(z.string()).default([]),
  updatedRecords: z.array(z.string()).default([]),
});

/** airtable.com/developers/web/api/delete-multiple-records */
export const DeleteRecordsResponseSchema = z.object({
  records: z.array(z.object({ id: z.string(), deleted: z.boolean() })),
});

/** airtable.com/developers/web/api/model/comment */
export const CommentSchema = z.object({
  id: z.string(),
  text: z.string(),
  createdTime: z.string(),
  lastUpdatedTime: z.string().nullish(),
  parentCommentId: z.string().nullish(),
  author: z.object({
    id: z.string(),
    email: z.string().nullish(),
    name: z.string().nullish(),
  }),
});
export type AirtableComment = z.infer<typeof CommentSchema>;

/** airtable.com/developers/web/api/list-comments */
export const ListCommentsResponseSchema = z.object({
  comments: z.array(CommentSchema),
  offset: z.string().nullish(),
});

/** airtable.com/developers/web/api/delete-comment */
export const DeletedCommentSchema = z.object({ id: z.string(), deleted: z.boolean() });

/**
 * An attachment cell entry (airtable.com/developers/web/api/field-model#multipleattachment):
 * the keys we rely on; thumbnails, width, height... pass through as Airtable sends them.
 */
export const AttachmentSchema = z.looseObject({
  id: z.string(),
  url: z.string(),
  filename: z.string(),
  size: z.number().nullish(),
  type: z.string().nullish(),
});
export type AirtableAttachment = z.infer<typeof AttachmentSchema>;

/** airtable.com/developers/web/api/create-base: the new base's id and its tables. */
export const CreateBaseResponseSchema = z.object({
  id: z.string(),
  tables: z.array(TableModelSchema),
});

// ---- request shapes ----

export interface SortSpec {
  field: string;
  direction?: 'asc' | 'desc';
}

/** Query of list-records; the same names go in the POST listRecords body. */
export interface ListRecordsParams {
  filterByFormula?: string;
  sort?: SortSpec[];
  fields?: string[];
  view?: string;
  pageSize?: number;
  offset?: string;
  maxRecords?: number;
  cellFormat?: 'json' | 'string';
  timeZone?: string;
  userLocale?: string;
  returnFieldsByFieldId?: boolean;
}

export interface NewRecord {
  fields: Record<string, unknown>;
}
export interface RecordUpdate {
  id: string;
  fields: Record<string, unknown>;
}
export interface UpsertRecord {
  id?: string;
  fields: Record<string, unknown>;
}

/** A field in create-table / create-field bodies (airtable.com/developers/web/api/create-field). */
export interface FieldSpec {
  name: string;
  type: string;
  description?: string;
  options?: Record<string, unknown>;
}
