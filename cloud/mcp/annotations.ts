/**
 * The three kinds of tool, as MCP tool annotations (MCP spec, "Tool annotations"): every tool
 * reaches Airtable (open world); reads change nothing; creations add without overwriting; changes
 * overwrite or delete (destructive) but repeating them gives the same result (idempotent);
 * upkeep (refreshing a webhook) changes only when something expires, the same way every time.
 */
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';

export const READS: ToolAnnotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: true,
};

export const CREATES: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: true,
};

export const CHANGES: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: true,
  openWorldHint: true,
};

export const UPKEEP: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: true,
};
