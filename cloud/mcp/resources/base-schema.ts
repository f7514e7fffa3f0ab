/**
 * Each base's schema as an MCP resource (MCP 2025-06-18, "Resources"): the template
 * `airtable://bases/{baseId}/schema`, listed once per base the connection can see
 * (resources/list) and read as JSON (resources/read): tables with their fields (types, options)
 * and views, from get-base-schema (airtable.com/developers/web/api/get-base-schema; scopes
 * schema.bases:read). Errors are JSON-RPC errors with the same explanations tools give:
 * -32002 (resource not found, MCP spec) for a base that does not exist or is not shared,
 * -32602 for any other URI.
 */
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  ErrorCode,
  McpError,
  ReadResourceRequestSchema,
  type ReadResourceResult,
} from '@modelcontextprotocol/sdk/types.js';
import { AirtableApiError } from '../../airtable/api-errors';
import { fieldOut, tableSummary, viewOut } from '../table-lookup';
import type { ToolContext } from '../tool-context';
import { errorText, unexpected } from '../tool-errors';

export const BASE_SCHEMA_TEMPLATE = 'airtable://bases/{baseId}/schema';
const RESOURCE_NOT_FOUND = -32002;
const BASE_ID = /^app[A-Za-z0-9]{14}$/;

export function baseSchemaUri(baseId: string): string {
  return `airtable://bases/${baseId}/schema`;
}

function resourceError(err: unknown, ctx: ToolContext, what: string): McpError {
  if (err instanceof McpError) return err;
  const text = errorText(err, ctx);
  if (text === undefined) return new McpError(ErrorCode.InternalError, unexpected(what, err));
  const notFound = err instanceof AirtableApiError && (err.status === 403 || err.status === 404);
  return new McpError(notFound ? RESOURCE_NOT_FOUND : ErrorCode.InternalError, text);
}

export function registerBaseSchemaResource(server: McpServer, ctx: ToolContext): void {
  const template = new ResourceTemplate(BASE_SCHEMA_TEMPLATE, {
    list: async (extra) => {
      try {
        const bases = await ctx.airtable.listBases({ signal: extra.signal });
        return {
          resources: bases.map((b) => ({
            uri: baseSchemaUri(b.id),
            name: `${b.name} schema`,
            title: `Schema of "${b.name}"`,
            description: `Tables, fields (types, options) and views of the base "${b.name}" (${b.id}); your access: ${b.permissionLevel}.`,
            mimeType: 'application/json',
          })),
        };
      } catch (err) {
        throw resourceError(err, ctx, 'resources/list');
      }
    },
  });
  server.registerResource(
    'base-schema',
    template,
    {
      title: 'Base schema',
      description:
        'The tables, fields (with types and options) and views of one Airtable base, as JSON. Read it before writing records or formulas.',
      mimeType: 'application/json',
    },
    (uri, _variables, extra) => readBaseSchema(uri.href, ctx, extra.signal),
  );
  // The SDK's resources/read answers a URI that is not a URL with an internal error (-32603):
  // this template is the only resource, so read it directly and call every bad URI invalid params.
  server.server.setRequestHandler(ReadResourceRequestSchema, (request, extra) =>
    readBaseSchema(request.params.uri, ctx, extra.signal),
  );
}

async function readBaseSchema(
  uri: string,
  ctx: ToolContext,
  signal: AbortSignal,
): Promise<ReadResourceResult> {
  const baseId = /^airtable:\/\/bases\/([^/]+)\/schema$/.exec(uri)?.[1];
  if (!baseId || !BASE_ID.test(baseId))
    throw new McpError(
      ErrorCode.InvalidParams,
      `Resource ${uri.slice(0, 200)} not found: the resources here are airtable://bases/{baseId}/schema, with a base id (app...) from list_bases or resources/list.`,
    );
  try {
    const tables = await ctx.airtable.getBaseSchema(baseId, {}, { signal });
    const schema = {
      baseId,
      tables: tables.map((t) => ({
        ...tableSummary(t),
        fields: t.fields.map((f) => fieldOut(f, true)),
        views: t.views.map(viewOut),
      })),
    };
    return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(schema) }] };
  } catch (err) {
    throw resourceError(err, ctx, 'resources/read');
  }
}
