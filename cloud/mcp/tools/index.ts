/** Every tool, in TOOL_NAMES order. */
import type { ToolDefinition } from '../define-tool';
import { createBaseTool } from './create-base';
import { createWebhookTool } from './create-webhook';
import { deleteCommentTool } from './delete-comment';
import { deleteWebhookTool } from './delete-webhook';
import { listViewsTool } from './list-views';
import { listWebhookPayloadsTool } from './list-webhook-payloads';
import { listWebhooksTool } from './list-webhooks';
import { refreshWebhookTool } from './refresh-webhook';
import { updateCommentTool } from './update-comment';
import { uploadAttachmentTool } from './upload-attachment';
import { createCommentTool } from './create-comment';
import { createFieldTool } from './create-field';
import { createRecordsTool } from './create-records';
import { createTableTool } from './create-table';
import { deleteRecordsTool } from './delete-records';
import { describeTableTool } from './describe-table';
import { getRecordTool } from './get-record';
import { listBasesTool } from './list-bases';
import { listCommentsTool } from './list-comments';
import { listRecordsTool } from './list-records';
import { listTablesTool } from './list-tables';
import { searchRecordsTool } from './search-records';
import { summarizeRecordsTool } from './summarize-records';
import { updateFieldTool } from './update-field';
import { updateRecordsTool } from './update-records';
import { updateTableTool } from './update-table';
import { whoamiTool } from './whoami';

export const ALL_TOOLS: readonly ToolDefinition[] = [
  whoamiTool,
  listBasesTool,
  listTablesTool,
  describeTableTool,
  listViewsTool,
  listRecordsTool,
  searchRecordsTool,
  getRecordTool,
  summarizeRecordsTool,
  createRecordsTool,
  updateRecordsTool,
  deleteRecordsTool,
  uploadAttachmentTool,
  createBaseTool,
  createTableTool,
  updateTableTool,
  createFieldTool,
  updateFieldTool,
  listCommentsTool,
  createCommentTool,
  updateCommentTool,
  deleteCommentTool,
  listWebhooksTool,
  createWebhookTool,
  refreshWebhookTool,
  deleteWebhookTool,
  listWebhookPayloadsTool,
];
