/**
 * How a tool is declared (once per process) and run (per call). A tool file exports
 * `defineTool({...})`: its name, model-facing description, zod input and output schemas and
 * annotations are built when the module loads; `register` only binds them to one request's
 * McpServer and ToolContext, so building a server per HTTP request stays cheap.
 *
 * Every outcome is a tool result: success carries `structuredContent` (validated by the SDK
 * against the output schema) plus the same JSON as text; Airtable and input problems become
 * `isError: true` results with the fix, never protocol errors.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import { toolErrorResult } from './tool-errors';
import type { ToolContext } from './tool-context';
import type { ToolName } from './tool-names';

export interface ToolSuccess<O> {
  data: O;
  /** Shown to the model before the JSON (e.g. "result cut, continue with offset ..."). */
  notice?: string;
}

export interface ToolSpec<In extends z.ZodObject, Out extends z.ZodObject> {
  name: ToolName;
  title: string;
  description: string;
  input: In;
  output: Out;
  annotations: ToolAnnotations;
  run(
    args: z.output<In>,
    ctx: ToolContext,
    signal: AbortSignal,
  ): Promise<ToolSuccess<z.output<Out>>>;
}

export interface ToolDefinition {
  readonly name: ToolName;
  readonly title: string;
  readonly description: string;
  readonly input: z.ZodObject;
  readonly output: z.ZodObject;
  readonly annotations: ToolAnnotations;
  register(server: McpServer, ctx: ToolContext): void;
}

export function defineTool<In extends z.ZodObject, Out extends z.ZodObject>(
  spec: ToolSpec<In, Out>,
): ToolDefinition {
  // Built once; every per-request registration reuses the same objects. The schemas are typed
  // as plain ZodObjects here so the SDK's callback type resolves; run() gets the parsed args.
  const config: {
    title: string;
    description: string;
    inputSchema: z.ZodObject;
    outputSchema: z.ZodObject;
    annotations: ToolAnnotations;
  } = {
    title: spec.title,
    description: spec.description,
    inputSchema: spec.input,
    outputSchema: spec.output,
    annotations: { title: spec.title, ...spec.annotations },
  };
  return {
    name: spec.name,
    title: spec.title,
    description: spec.description,
    input: spec.input,
    output: spec.output,
    annotations: config.annotations,
    register(server, ctx) {
      server.registerTool(spec.name, config, (args, extra) =>
        // The SDK parsed args with spec.input, so they are z.output<In>.
        runTool(spec, args as z.output<In>, ctx, extra.signal),
      );
    },
  };
}

async function runTool<In extends z.ZodObject, Out extends z.ZodObject>(
  spec: ToolSpec<In, Out>,
  args: z.output<In>,
  ctx: ToolContext,
  signal: AbortSignal,
): Promise<CallToolResult> {
  try {
    const { data, notice } = await spec.run(args, ctx, signal);
    const content: CallToolResult['content'] = [];
    if (notice) content.push({ type: 'text', text: notice });
    content.push({ type: 'text', text: JSON.stringify(data) });
    return { content, structuredContent: data as Record<string, unknown> };
  } catch (err) {
    return toolErrorResult(spec.name, err, ctx);
  }
}
