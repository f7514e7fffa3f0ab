/** Every tool, in TOOL_NAMES order. */
import type { ToolDefinition } from '../define-tool';
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
  listRecordsTool,
  searchRecordsTool,
  getRecordTool,
  summarizeRecordsTool,
  createRecordsTool,
  updateRecordsTool,
  deleteRecordsTool,
  createTableTool,
  updateTableTool,
  createFieldTool,
  updateFieldTool,
  listCommentsTool,
  createCommentTool,
];
