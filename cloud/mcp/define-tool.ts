/**
 * How a tool is declared (once per process) and run (per call). A tool file exports
 * `defineTool({...})`: its name, model-facing description, zod input and output schemas and
 * annotations are built when the module loads; `call` runs it for one request's ToolContext, so
 * building a server per HTTP request costs no per-tool work at all (server.ts).
 *
 * Every outcome is a tool result: success carries `structuredContent` (validated by the SDK
 * against the output schema) plus the same JSON as text; Airtable and input problems become
 * `isError: true` results with the fix, never protocol errors.
 */
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import { log } from '../log';
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
  /**
   * Runs one tools/call for this request's context: the arguments are checked here (a bad one is
   * an `isError` result that says what to fix - MCP tools "Error Handling": input validation is a
   * tool execution error), then the tool runs, and its structured result is checked against the
   * output schema it declares.
   */
  call(args: unknown, ctx: ToolContext, signal: AbortSignal): Promise<CallToolResult>;
}

/**
 * Upper bound on array elements + object members in one tools/call: 1000 records of up to a few
 * hundred cells, with room to spare; stops pathological payloads before zod walks them.
 */
export const MAX_TOOL_INPUT_ELEMENTS = 500_000;

/** Elements (array items, object members) in `value`, counting stops past `max`. */
function elementCount(value: unknown, max: number): number {
  let n = 0;
  const stack = [value];
  while (stack.length > 0 && n <= max) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    const children = Array.isArray(node) ? node : Object.values(node);
    n += children.length;
    for (const child of children)
      if (child !== null && typeof child === 'object') stack.push(child);
  }
  return n;
}

function issuesText(error: z.ZodError): string {
  return error.issues
    .slice(0, 10)
    .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

function invalidInput(name: string, message: string): CallToolResult {
  return {
    content: [
      {
        type: 'text',
        text: `Input validation error: Invalid arguments for tool ${name}: ${message}`,
      },
    ],
    isError: true,
  };
}

export function defineTool<In extends z.ZodObject, Out extends z.ZodObject>(
  spec: ToolSpec<In, Out>,
): ToolDefinition {
  // Unknown top-level arguments are refused, not silently dropped: a model that sends `fields` to
  // a tool without that option learns so instead of getting every field.
  const strictInput = spec.input.strict();
  return {
    name: spec.name,
    title: spec.title,
    description: spec.description,
    input: spec.input,
    output: spec.output,
    annotations: { title: spec.title, ...spec.annotations },
    async call(args, ctx, signal) {
      const raw = args ?? {};
      if (elementCount(raw, MAX_TOOL_INPUT_ELEMENTS) > MAX_TOOL_INPUT_ELEMENTS)
        return invalidInput(
          spec.name,
          `arguments contain more than the maximum of ${MAX_TOOL_INPUT_ELEMENTS} elements`,
        );
      let parsed;
      try {
        parsed = await strictInput.safeParseAsync(raw);
      } catch (err) {
        // A pathologically nested argument (a filter 100,000 levels deep) overflows the validator.
        if (err instanceof RangeError)
          return invalidInput(spec.name, 'arguments are nested too deeply');
        throw err;
      }
      if (!parsed.success) return invalidInput(spec.name, issuesText(parsed.error));
      return runTool(spec, parsed.data as z.output<In>, ctx, signal);
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
    // What the tool promises in tools/list (outputSchema) is what it returns, or nothing.
    const checked = spec.output.safeParse(data);
    if (!checked.success) {
      log.error(
        { tool: spec.name, why: issuesText(checked.error) },
        'tool result does not match its output schema',
      );
      return {
        content: [
          { type: 'text', text: `${spec.name} produced an unexpected result; it has been logged.` },
        ],
        isError: true,
      };
    }
    const content: CallToolResult['content'] = [];
    if (notice) content.push({ type: 'text', text: notice });
    content.push({ type: 'text', text: JSON.stringify(data) });
    return { content, structuredContent: data as Record<string, unknown> };
  } catch (err) {
    return toolErrorResult(spec.name, err, ctx);
  }
}
