/**
 * Every tool the server registers, in the order tools/list shows them. The README lists exactly
 * these (a test checks it), and defineTool only accepts these names.
 */
export const TOOL_NAMES = [
  'whoami',
  'list_bases',
  'list_tables',
  'describe_table',
  'list_records',
  'search_records',
  'get_record',
  'summarize_records',
  'create_records',
  'update_records',
  'delete_records',
  'create_table',
  'update_table',
  'create_field',
  'update_field',
  'list_comments',
  'create_comment',
] as const;

export type ToolName = (typeof TOOL_NAMES)[number];
