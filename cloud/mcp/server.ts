/**
 * The MCP server for one HTTP request (stateless Streamable HTTP: a fresh server per request, as
 * a shared one would misroute concurrent responses with equal JSON-RPC ids). Everything that does
 * not depend on the request is built once per process: the tool definitions (module load) and
 * the tools/list answer (JSON Schemas converted on first use), so createMcpServer only binds the
 * tools, the base-schema resources and the prompts to this request's ToolContext.
 *
 * The SDK's registerPrompt and registerResource do schema work on every call (about 4% of a
 * list_records call's CPU in `npm run bench -- profile`), so when the caller says which methods
 * the request carries (`methods`: the route knows the JSON-RPC body before the server is built),
 * resources and prompts are registered only for a request that can use them: resources/*,
 * prompts/* and completion/complete (which completes prompt arguments and resource template
 * variables). Any other request - tools/call, tools/list, initialize, ping - has no use for them;
 * the capabilities announced stay the same.
 *
 * Capabilities: tools, resources and prompts, all with `listChanged: false` (a server that lives
 * for one request never sends list_changed notifications; the SDK would announce true) and no
 * resource subscriptions (nothing would be there to send updates).
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { toJsonSchemaCompat } from '@modelcontextprotocol/sdk/server/zod-json-schema-compat.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ToolDefinition } from './define-tool';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { ALL_PROMPTS } from './prompts/index';
import { registerBaseSchemaResource } from './resources/base-schema';
import type { ToolContext } from './tool-context';
import { ALL_TOOLS } from './tools/index';

export const SERVER_INFO = { name: 'airtable-mcp-back4app', version: '0.1.0' } as const;

const INSTRUCTIONS =
  "Tools for the signed-in user's Airtable bases. Start with list_bases, then list_tables or " +
  'describe_table to learn table and field names before reading or writing records. Prefer ids ' +
  '(app..., tbl..., fld..., rec...) over names. Large results come back in parts with an offset to ' +
  'continue. Errors explain how to fix them (e.g. a missing scope and the link to reconnect). Each ' +
  "base's schema is also a resource (airtable://bases/{baseId}/schema), and the prompts " +
  'explore_base, clean_up_duplicates and watch_table_changes guide common jobs.';

const CAPABILITIES = {
  tools: { listChanged: false },
  resources: { listChanged: false, subscribe: false },
  prompts: { listChanged: false },
};

let toolList: Tool[] | undefined;

/** The tools/list answer, in the same shape the SDK builds, computed once per process. */
export function listedTools(): Tool[] {
  toolList ??= ALL_TOOLS.map((t) => ({
    name: t.name,
    title: t.title,
    description: t.description,
    inputSchema: toJsonSchemaCompat(t.input, {
      strictUnions: true,
      pipeStrategy: 'input',
    }) as Tool['inputSchema'],
    outputSchema: toJsonSchemaCompat(t.output, {
      strictUnions: true,
      pipeStrategy: 'output',
    }) as Tool['outputSchema'],
    annotations: t.annotations,
    execution: { taskSupport: 'forbidden' },
  }));
  return toolList;
}

/**
 * One JSON Schema validator per process: the SDK otherwise builds a new Ajv instance for every
 * server, i.e. for every stateless request (about 11% of CPU under load in `npm run bench`). It
 * is stateless between calls (it compiles and caches schemas), so sharing it is safe.
 */
const jsonSchemaValidator = new AjvJsonSchemaValidator();

const TOOLS_BY_NAME: ReadonlyMap<string, ToolDefinition> = new Map(
  ALL_TOOLS.map((t) => [t.name, t]),
);

/**
 * Matches any tools/call, well-formed or not: the SDK's Server checks it against
 * CallToolRequestSchema itself for tools/call handlers and answers -32602 Invalid params when
 * it does not conform (e.g. `arguments` that is not an object), where parsing with the strict
 * schema first would have answered -32603 Internal error.
 */
const AnyToolCall = z.looseObject({ method: z.literal('tools/call') });

export interface CreateMcpServerOptions {
  /**
   * The JSON-RPC methods of the request this server answers (cloud/mcp/tool-scopes.ts
   * messageMethods); undefined: a server that may get any message (in-memory tests).
   */
  methods?: ReadonlySet<string>;
}

/** Whether a request with these methods can use the resources and the prompts. */
export function needsRegistry(
  methods: ReadonlySet<string> | undefined,
  kind: 'resources' | 'prompts',
): boolean {
  if (methods === undefined) return true;
  for (const m of methods) if (m.startsWith(`${kind}/`) || m === 'completion/complete') return true;
  return false;
}

export function createMcpServer(ctx: ToolContext, opts: CreateMcpServerOptions = {}): McpServer {
  const server = new McpServer(SERVER_INFO, {
    jsonSchemaValidator,
    instructions: INSTRUCTIONS,
  });
  server.server.registerCapabilities(CAPABILITIES);
  // tools/list and tools/call are ours, not McpServer's registry: nothing per tool is built per
  // request, tools/list is computed once per process, and the spec's protocol errors are kept.
  server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listedTools() }));
  server.server.setRequestHandler(AnyToolCall, (request, extra) => {
    // MCP 2025-11-25 tools, "Error Handling": an unknown tool is a protocol error (-32602), not
    // a tool result; problems inside a known tool's call are isError results (define-tool.ts).
    const { params } = CallToolRequestSchema.parse(request);
    const tool = TOOLS_BY_NAME.get(params.name);
    if (!tool)
      throw new McpError(
        ErrorCode.InvalidParams,
        `Unknown tool: ${params.name.slice(0, 100)}. tools/list shows the tools this server has.`,
      );
    return tool.call(params.arguments, ctx, extra.signal);
  });
  if (needsRegistry(opts.methods, 'resources')) registerBaseSchemaResource(server, ctx);
  if (needsRegistry(opts.methods, 'prompts'))
    for (const prompt of ALL_PROMPTS) prompt.register(server);
  // After every registration: the SDK declares listChanged: true as it registers.
  server.server.registerCapabilities(CAPABILITIES);
  return server;
}
