/**
 * The field types the fake models (airtable.com/developers/web/api/field-model). Computed types
 * cannot be written through the API; Airtable answers INVALID_VALUE_FOR_COLUMN.
 */
export const WRITABLE_FIELD_TYPES = [
  'singleLineText',
  'multilineText',
  'richText',
  'email',
  'url',
  'phoneNumber',
  'number',
  'currency',
  'percent',
  'rating',
  'duration',
  'checkbox',
  'date',
  'dateTime',
  'singleSelect',
  'multipleSelects',
  'multipleRecordLinks',
  'multipleAttachments',
] as const;

export const COMPUTED_FIELD_TYPES = [
  'autoNumber',
  'createdTime',
  'lastModifiedTime',
  'formula',
  'count',
  'multipleLookupValues',
  'rollup',
] as const;

export const FIELD_TYPES = [...WRITABLE_FIELD_TYPES, ...COMPUTED_FIELD_TYPES] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export function isFieldType(s: string): s is FieldType {
  return (FIELD_TYPES as readonly string[]).includes(s);
}

export function isComputed(type: FieldType): boolean {
  return (COMPUTED_FIELD_TYPES as readonly string[]).includes(type);
}

/** Types Airtable's Web API can create (create-field: formula, rollup, count... are refused). */
export function isCreatableThroughApi(type: FieldType): boolean {
  return !isComputed(type);
}

/** Types allowed as a table's primary field (Airtable refuses links, attachments, checkboxes, multi-selects there). */
export function canBePrimary(type: FieldType): boolean {
  return ![
    'multipleRecordLinks',
    'multipleAttachments',
    'checkbox',
    'multipleSelects',
    'count',
    'rating',
    'multipleLookupValues',
    'rollup',
  ].includes(type);
}

/** Text-like types: written and read as strings. */
export const TEXT_TYPES: ReadonlySet<FieldType> = new Set([
  'singleLineText',
  'multilineText',
  'richText',
  'email',
  'url',
  'phoneNumber',
]);

/** Types usable in performUpsert.fieldsToMergeOn (Airtable: no computed, link, attachment or multi-value types). */
export function canMergeOn(type: FieldType): boolean {
  return (
    TEXT_TYPES.has(type) ||
    ['number', 'currency', 'percent', 'date', 'dateTime', 'singleSelect'].includes(type)
  );
}
