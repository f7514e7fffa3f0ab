/**
 * Every tool the server registers, in the order tools/list shows them. docs/tools.md lists
 * exactly these (a test checks it), and defineTool only accepts these names.
 */
export const TOOL_NAMES = [
  'whoami',
  'list_bases',
  'list_tables',
  'describe_table',
  'list_views',
  'list_records',
  'search_records',
  'get_record',
  'summarize_records',
  'create_records',
  'update_records',
  'delete_records',
  'upload_attachment',
  'create_base',
  'create_table',
  'update_table',
  'create_field',
  'update_field',
  'list_comments',
  'create_comment',
  'update_comment',
  'delete_comment',
  'list_webhooks',
  'create_webhook',
  'refresh_webhook',
  'delete_webhook',
  'list_webhook_payloads',
] as const;

export type ToolName = (typeof TOOL_NAMES)[number];
