/** Prompt arguments (strings, as MCP prompts take them) with the checks the tools apply. */
import { z } from 'zod';

export const baseIdArg = z
  .string()
  .regex(
    /^app[A-Za-z0-9]{14}$/,
    'baseId is "app" followed by 14 letters or digits (see list_bases)',
  )
  .describe('Base id (app...), from list_bases.');

export const tableArg = z
  .string()
  .min(1)
  .max(1000)
  .describe('Table id (tbl...) or exact table name.');
