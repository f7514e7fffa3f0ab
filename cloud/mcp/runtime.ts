/**
 * Everything `/mcp` needs beyond authentication, the body and the session limit: the MCP SDK's
 * server and transport, every tool with its zod schemas, resources and prompts, the Airtable Web
 * API client. cloud/routes/mcp.ts loads this module with import() on the first request that gets
 * that far, so esbuild puts it in a chunk of its own that app.js does not load at start-up.
 *
 * Why: building the SDK's protocol schemas and our tools' schemas (zod) and compiling that code
 * was most of what loading app.js cost (`npm run bench -- bundle`; docs/benchmarks.md), and
 * Back4App loads app.js on every deploy and every new container, before /health can answer.
 * The first MCP request of a process pays it once instead.
 */
export { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
export { AirtableApi } from '../airtable/api-client';
export { createMcpServer } from './server';
export { messageMethods, missingScope, reachesAirtable } from './tool-scopes';
export { toolsListAnswer } from './tools-list-answer';
