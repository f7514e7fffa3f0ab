/** Raw MCP over HTTP (stateless Streamable HTTP: every request stands alone). */
import { harness } from '../harness/env';

export interface RpcAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown> | undefined;
}

export async function mcpPost(
  token: string | undefined,
  message: unknown,
  baseUrl = harness().baseUrl,
): Promise<RpcAnswer> {
  const res = await fetch(`${baseUrl}/mcp`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'MCP-Protocol-Version': '2025-06-18',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(message),
  });
  const text = await res.text();
  let body: Record<string, unknown> | undefined;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body };
}

let nextId = 1;

/** tools/call; returns the CallToolResult (throws on protocol errors). */
export async function callTool(
  token: string,
  name: string,
  args: Record<string, unknown> = {},
  baseUrl?: string,
): Promise<{
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
  content: { type: string; text?: string }[];
}> {
  const answer = await mcpPost(
    token,
    { jsonrpc: '2.0', id: nextId++, method: 'tools/call', params: { name, arguments: args } },
    baseUrl,
  );
  if (answer.status !== 200 || !answer.body?.result)
    throw new Error(`tools/call ${name} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body.result as never;
}
