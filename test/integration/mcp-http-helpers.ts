/**
 * Shared by the mcp-http-* and oauth-e2e-* tests: the MCP SDK's own Client over Streamable HTTP
 * against the running test server, fresh fake-Airtable users with their own bases, and raw HTTP
 * requests for the protocol edges (node:http, so Host can be set at will).
 */
import http from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { BaseSpec } from '../../fake-airtable/admin/admin-schemas';
import { ALL_TOOLS } from '../../cloud/mcp/tools/index';
import { harness } from '../harness/env';
import { fakeAdmin, sessionFromPat, uniqueUserId } from '../helpers/airtable';

export type Json = Record<string, unknown>;

export const ALL_SCOPES = [
  'data.records:read',
  'data.records:write',
  'schema.bases:read',
  'schema.bases:write',
  'data.recordComments:read',
  'data.recordComments:write',
] as const;

/** A fresh fake Airtable user with a PAT of the given scopes, signed in: its session id. */
export async function patUser(
  scopes: readonly string[] = ALL_SCOPES,
): Promise<{ userId: string; pat: string; session: string }> {
  const admin = fakeAdmin();
  const user = await admin.createUser({ id: uniqueUserId(), email: `${uniqueUserId()}@ex.com` });
  const { token } = await admin.createPat({
    userId: user.id,
    scopes: [...scopes] as never,
    bases: 'all',
  });
  return { userId: user.id, pat: token, session: await signInWithPat(token) };
}

export function signInWithPat(pat: string, baseUrl = harness().baseUrl): Promise<string> {
  return sessionFromPat(pat, 'claude', baseUrl);
}

/** A base owned by `userId`: table "Tasks" (Name, Notes, Count) with `records` rows. */
export async function baseWithTasks(
  userId: string,
  records = 0,
  name = `Base of ${userId}`,
): Promise<{ baseId: string; tableId: string; fieldIds: Record<string, string> }> {
  const spec: BaseSpec = {
    name,
    ownerUserIds: [userId],
    tables: [
      {
        name: 'Tasks',
        fields: [
          { name: 'Name', type: 'singleLineText' },
          { name: 'Notes', type: 'multilineText' },
          { name: 'Count', type: 'number', options: { precision: 0 } },
        ],
        records: Array.from({ length: records }, (_, i) => ({
          fields: { Name: `Task ${String(i).padStart(3, '0')}`, Notes: 'plain', Count: i },
        })),
      },
    ],
  };
  const base = await fakeAdmin().createBase(spec);
  const table = base.tables[0]!;
  return {
    baseId: base.id,
    tableId: table.id,
    fieldIds: Object.fromEntries(table.fields.map((f) => [f.name, f.id])),
  };
}

/** The SDK's Client over Streamable HTTP to `<baseUrl>/mcp`, sending `Authorization: Bearer`. */
export async function connectWithBearer(
  token: string,
  baseUrl = harness().baseUrl,
): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: 'mcp-http-test', version: '1.0.0' });
  await client.connect(transport);
  // listTools makes the SDK client validate every later structuredContent against outputSchema.
  await client.listTools();
  return client;
}

export async function callTool(client: Client, name: string, args: Json = {}) {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

export function resultText(res: CallToolResult): string {
  return res.content.map((p) => (p.type === 'text' ? p.text : '')).join('\n');
}

/** A successful call whose structuredContent parses with the tool's own output schema. */
export async function ok<T = Json>(client: Client, name: string, args: Json = {}): Promise<T> {
  const res = await callTool(client, name, args);
  if (res.isError) throw new Error(`${name} failed: ${resultText(res)}`);
  expect(res.structuredContent).toBeDefined();
  const def = ALL_TOOLS.find((t) => t.name === name)!;
  expect(def.output.safeParse(res.structuredContent).success).toBe(true);
  return res.structuredContent as T;
}

export async function errorText(client: Client, name: string, args: Json): Promise<string> {
  const res = await callTool(client, name, args);
  expect(res.isError).toBe(true);
  return resultText(res);
}

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: Json | undefined;
}

/** One HTTP request with exactly these headers (Host included), against the test server. */
export function rawRequest(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string | Buffer,
  baseUrl = harness().baseUrl,
): Promise<RawAnswer> {
  const url = new URL(path, baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { method, hostname: url.hostname, port: url.port, path: url.pathname, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Json | undefined;
          try {
            json = JSON.parse(text) as Json;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    // The server may answer (413) and close before the whole body is sent.
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') reject(err);
    });
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Headers of a well-formed MCP POST (Host is the server's own unless overridden). */
export function mcpHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return {
    Host: new URL(harness().baseUrl).host,
    'Content-Type': 'application/json',
    Accept: 'application/json, text/event-stream',
    'MCP-Protocol-Version': '2025-06-18',
    ...extra,
  };
}

export const TOOLS_LIST = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
