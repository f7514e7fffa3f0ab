/**
 * `npm run smoke -- https://<sub>.b4a.app [--pat patXXX] [--airtable-origin URL] [--json]`
 *
 * Checks a live deployment from the outside, the way an MCP client and a person meet it, and
 * prints one PASS / FAIL / WARN / SKIP line per check; exit 1 when anything FAILs.
 *  - GET /health is 200;
 *  - Protected Resource Metadata (RFC 9728) and Authorization Server Metadata (RFC 8414) with the
 *    fields MCP clients rely on (MCP authorization spec 2025-06-18 / 2025-11-25);
 *  - POST /mcp without credentials: 401 with a `WWW-Authenticate: Bearer` challenge whose
 *    resource_metadata URL resolves (RFC 9728 section 5.1);
 *  - GET /auth/authorize: 302 to Airtable's authorize URL with PKCE S256 (not followed);
 *  - with a personal access token (--pat, or SMOKE_PAT to keep it out of shell history):
 *    POST /api/auth/direct, MCP initialize + tools/call whoami over Streamable HTTP, logout, and
 *    the revoked session refused.
 * The token and the session id never appear in the report.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadBack4AppConfig, webHostingUrl } from './back4app-config';
import {
  challengeParams,
  jsonRpcMessages,
  obj,
  preview,
  request,
  type FetchLike,
  type Reply,
} from './deploy-smoke-http';

export type Status = 'PASS' | 'FAIL' | 'WARN' | 'SKIP';
export interface SmokeResult {
  name: string;
  status: Status;
  detail: string;
}

export interface SmokeOptions {
  /** e.g. https://my-app.b4a.app (no trailing slash needed). */
  baseUrl: string;
  pat?: string | undefined;
  fetch?: FetchLike;
  /** Where /auth/authorize must send the browser (default https://airtable.com). */
  airtableOrigin?: string;
  timeoutMs?: number;
}

export const MCP_PROTOCOL_VERSION = '2025-06-18';
const MCP_HEADERS = {
  Accept: 'application/json, text/event-stream',
  'Content-Type': 'application/json',
};
const PLATFORM = 'smoke';

class CheckFailed extends Error {}
const fail = (detail: string): never => {
  throw new CheckFailed(detail);
};
const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

function initializeBody(id: number) {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: {
      protocolVersion: MCP_PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'airtable-mcp-smoke', version: '1.0.0' },
    },
  });
}

/** Runs every check in order; never throws (a failing request becomes a FAIL line). */
export async function runSmoke(opts: SmokeOptions): Promise<SmokeResult[]> {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const doFetch: FetchLike = opts.fetch ?? ((url, init) => fetch(url, init));
  const timeout = opts.timeoutMs ?? 20_000;
  const airtableOrigin = new URL(opts.airtableOrigin ?? 'https://airtable.com').origin;
  const results: SmokeResult[] = [];
  const call = (p: string, init: RequestInit = {}): Promise<Reply> =>
    request(doFetch, p.startsWith('http') ? p : `${base}${p}`, init, timeout);
  const check = async (
    name: string,
    fn: () => Promise<string | { status: Status; detail: string }>,
  ) => {
    try {
      const r = await fn();
      results.push(typeof r === 'string' ? { name, status: 'PASS', detail: r } : { name, ...r });
      return results.at(-1)!.status !== 'FAIL';
    } catch (err) {
      results.push({ name, status: 'FAIL', detail: (err as Error).message });
      return false;
    }
  };
  const skip = (name: string, detail: string) => results.push({ name, status: 'SKIP', detail });

  await check('health', async () => {
    const r = await call('/health');
    if (r.status !== 200) fail(`GET /health -> ${r.status} ${preview(r.text)}`);
    return `GET /health -> 200 ${preview(r.text)}`;
  });

  /** RFC 9728 section 2: `resource` REQUIRED; MCP needs authorization_servers and a matching resource. */
  const checkPrm = (r: Reply, where: string): string => {
    if (r.status !== 200)
      fail(`GET ${where} -> ${r.status}: no Protected Resource Metadata (RFC 9728)`);
    const m = obj(r.json) ?? fail(`GET ${where}: not a JSON object: ${preview(r.text)}`);
    const problems: string[] = [];
    if (!isStr(m.resource)) problems.push('"resource" missing (RFC 9728 section 2)');
    else if (m.resource !== `${base}/mcp`)
      problems.push(
        `"resource" is ${m.resource}, expected ${base}/mcp (clients reject a mismatch)`,
      );
    const servers = m.authorization_servers;
    if (!Array.isArray(servers) || servers.length === 0 || !servers.every(isStr))
      problems.push('"authorization_servers" missing or empty (MCP clients need it)');
    if (problems.length > 0) fail(`GET ${where}: ${problems.join('; ')}`);
    return `resource ${String(m.resource)}, authorization_servers ${(servers as string[]).join(', ')}`;
  };

  await check('protected resource metadata', async () =>
    checkPrm(
      await call('/.well-known/oauth-protected-resource'),
      '/.well-known/oauth-protected-resource',
    ),
  );

  await check('authorization server metadata', async () => {
    const where = '/.well-known/oauth-authorization-server';
    const r = await call(where);
    if (r.status !== 200) fail(`GET ${where} -> ${r.status}: no RFC 8414 metadata`);
    const m = obj(r.json) ?? fail(`GET ${where}: not a JSON object: ${preview(r.text)}`);
    const problems: string[] = [];
    // RFC 8414 section 3.3: issuer identical to the URL the metadata was fetched from.
    if (m.issuer !== base) problems.push(`"issuer" is ${String(m.issuer)}, expected ${base}`);
    for (const k of ['authorization_endpoint', 'token_endpoint'])
      if (!isStr(m[k])) problems.push(`"${k}" missing`);
    const list = (k: string) => (Array.isArray(m[k]) ? (m[k] as unknown[]) : []);
    if (!list('response_types_supported').includes('code'))
      problems.push('"response_types_supported" lacks "code"');
    if (!list('code_challenge_methods_supported').includes('S256'))
      problems.push(
        '"code_challenge_methods_supported" lacks "S256" (MCP clients refuse the server)',
      );
    if (!isStr(m.registration_endpoint) && m.client_id_metadata_document_supported !== true)
      problems.push('neither "registration_endpoint" nor "client_id_metadata_document_supported"');
    if (problems.length > 0) fail(`GET ${where}: ${problems.join('; ')}`);
    const reg = [
      isStr(m.registration_endpoint) ? 'DCR' : '',
      m.client_id_metadata_document_supported === true ? 'CIMD' : '',
    ].filter(Boolean);
    return `issuer ${base}, PKCE S256, registration: ${reg.join(' + ')}`;
  });

  let challenge: string | undefined;
  const challenged = await check('POST /mcp without credentials', async () => {
    const r = await call('/mcp', { method: 'POST', headers: MCP_HEADERS, body: initializeBody(1) });
    if (r.status !== 401) fail(`-> ${r.status}, expected 401 ${preview(r.text)}`);
    challenge = r.headers.get('www-authenticate') ?? undefined;
    if (!challenge || !/^Bearer\b/i.test(challenge))
      fail(
        `-> 401 but WWW-Authenticate is ${challenge ? `"${preview(challenge, 60)}"` : 'missing'}`,
      );
    return `-> 401, WWW-Authenticate: ${preview(challenge!, 100)}`;
  });
  if (!challenged) skip('challenge resource_metadata', 'no Bearer challenge to follow');
  else
    await check('challenge resource_metadata', async () => {
      const url = challengeParams(challenge!).resource_metadata;
      if (!url)
        fail(
          'the challenge has no resource_metadata="..." (RFC 9728 section 5.1): clients cannot discover the authorization server',
        );
      return `${url} -> ${checkPrm(await call(url!), url!)}`;
    });

  await check('GET /auth/authorize', async () => {
    const r = await call(`/auth/authorize?platform=${PLATFORM}`, { redirect: 'manual' });
    if (r.status !== 302) {
      const hint = r.status === 503 ? ' (Airtable OAuth not configured: AIRTABLE_CLIENT_ID?)' : '';
      fail(`-> ${r.status}, expected 302 to Airtable${hint} ${preview(r.text, 80)}`);
    }
    const location = r.headers.get('location') ?? fail('302 without a Location header');
    const u = new URL(location, base);
    const q = u.searchParams;
    const problems: string[] = [];
    if (u.origin !== airtableOrigin || u.pathname !== '/oauth2/v1/authorize')
      problems.push(
        `goes to ${u.origin}${u.pathname}, expected ${airtableOrigin}/oauth2/v1/authorize`,
      );
    if (!q.get('client_id')) problems.push('client_id missing');
    if (q.get('redirect_uri') !== `${base}/auth/callback`)
      problems.push(
        `redirect_uri is ${q.get('redirect_uri') ?? 'missing'}, expected ${base}/auth/callback`,
      );
    if (q.get('response_type') !== 'code') problems.push('response_type is not code');
    // S256 of a verifier: 32 bytes in unpadded base64url (RFC 7636 section 4.2).
    if (!/^[A-Za-z0-9_-]{43}$/.test(q.get('code_challenge') ?? ''))
      problems.push('code_challenge missing or not an S256 value');
    if (q.get('code_challenge_method') !== 'S256')
      problems.push('code_challenge_method is not S256');
    // Airtable: state is 16-1024 chars of [A-Za-z0-9._-] (platform-facts.md).
    if (!/^[A-Za-z0-9._-]{16,1024}$/.test(q.get('state') ?? ''))
      problems.push('state missing or not 16-1024 chars of [A-Za-z0-9._-]');
    if (problems.length > 0) fail(problems.join('; '));
    const scope = q.get('scope');
    return scope
      ? `-> 302 ${u.origin}${u.pathname} with PKCE S256, state, scope "${scope}"`
      : { status: 'WARN', detail: '-> 302 to Airtable with PKCE S256 and state, but no scope' };
  });

  const patSteps = [
    'PAT sign-in',
    'MCP initialize',
    'MCP tools/call whoami',
    'POST /auth/logout',
    'session refused after logout',
  ];
  if (!opts.pat) {
    for (const s of patSteps) skip(s, 'no --pat given');
    return redact(results, []);
  }
  let session = '';
  let protocol: string | undefined;
  let mcpSessionId: string | undefined;
  const mcpHeaders = (): Record<string, string> => ({
    ...MCP_HEADERS,
    Authorization: `Bearer ${session}`,
    ...(protocol ? { 'MCP-Protocol-Version': protocol } : {}),
    ...(mcpSessionId ? { 'Mcp-Session-Id': mcpSessionId } : {}),
  });
  const rpc = async (id: number, method: string, params: unknown) => {
    const r = await call('/mcp', {
      method: 'POST',
      headers: mcpHeaders(),
      body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
    });
    if (r.status !== 200) fail(`${method} -> ${r.status} ${preview(r.text)}`);
    const msg =
      jsonRpcMessages(r).find((m) => m.id === id) ?? fail(`${method}: no JSON-RPC answer`);
    const error = obj(msg.error);
    if (error) fail(`${method}: JSON-RPC error ${String(error.code)} ${String(error.message)}`);
    return { reply: r, result: obj(msg.result) ?? fail(`${method}: answer without a result`) };
  };

  const steps: (() => Promise<string>)[] = [
    async () => {
      const r = await call('/api/auth/direct', {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        body: new URLSearchParams({ api_key: opts.pat!, platform: PLATFORM }).toString(),
      });
      const body = obj(r.json);
      if (r.status !== 200 || !isStr(body?.session_id))
        fail(
          `POST /api/auth/direct -> ${r.status} ${String(body?.error ?? '')} ${String(body?.error_description ?? preview(r.text))}`,
        );
      session = body!.session_id as string;
      return `POST /api/auth/direct -> 200, session for ${String(body!.user_id ?? 'the user')}`;
    },
    async () => {
      // No MCP-Protocol-Version on initialize: it is negotiated by this very request.
      const { reply, result } = await rpc(1, 'initialize', JSON.parse(initializeBody(1)).params);
      if (!isStr(result.protocolVersion)) fail('initialize: no protocolVersion in the result');
      protocol = result.protocolVersion as string;
      mcpSessionId = reply.headers.get('mcp-session-id') ?? undefined;
      const note = await call('/mcp', {
        method: 'POST',
        headers: mcpHeaders(),
        body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
      });
      if (note.status !== 202) fail(`notifications/initialized -> ${note.status}, expected 202`);
      const info = obj(result.serverInfo);
      return `protocol ${String(protocol)}, server ${String(info?.name ?? '?')} ${String(info?.version ?? '')}`.trim();
    },
    async () => {
      const { result } = await rpc(2, 'tools/call', { name: 'whoami', arguments: {} });
      const text = (Array.isArray(result.content) ? result.content : [])
        .map((c) => String(obj(c)?.text ?? ''))
        .join(' ');
      if (result.isError === true) fail(`whoami returned an error: ${preview(text)}`);
      return `whoami -> ${preview(text, 100)}`;
    },
    async () => {
      const r = await call('/auth/logout', {
        method: 'POST',
        headers: { Authorization: `Bearer ${session}`, Accept: 'application/json' },
      });
      if (r.status !== 200 && r.status !== 204) fail(`-> ${r.status} ${preview(r.text)}`);
      return `-> ${r.status} ${preview(r.text)}`;
    },
    async () => {
      const r = await call('/mcp', {
        method: 'POST',
        headers: mcpHeaders(),
        body: initializeBody(3),
      });
      if (r.status !== 401) fail(`the logged-out session got ${r.status}, expected 401`);
      return 'POST /mcp with the logged-out session -> 401';
    },
  ];
  for (const [i, step] of steps.entries()) {
    if (!(await check(patSteps[i]!, step))) {
      for (const s of patSteps.slice(i + 1)) skip(s, `skipped: "${patSteps[i]}" failed`);
      // Always try to log out a session we created, so a failed run leaves nothing behind.
      if (session && i < 3)
        await call('/auth/logout', {
          method: 'POST',
          headers: { Authorization: `Bearer ${session}` },
        }).catch(() => undefined);
      break;
    }
  }
  return redact(results, [opts.pat, session]);
}

/** Belt and braces: no secret may reach the report, whatever a server echoes back. */
function redact(results: SmokeResult[], secrets: (string | undefined)[]): SmokeResult[] {
  const list = secrets.filter((s): s is string => Boolean(s && s.length >= 4));
  return results.map((r) => ({
    ...r,
    detail: list.reduce((d, s) => d.split(s).join('[redacted]'), r.detail),
  }));
}

export function smokeExitCode(results: readonly SmokeResult[]): number {
  return results.some((r) => r.status === 'FAIL') ? 1 : 0;
}

export function formatSmokeReport(baseUrl: string, results: readonly SmokeResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines = results.map((r) => `${r.status.padEnd(4)}  ${r.name.padEnd(width)}  ${r.detail}`);
  const count = (s: Status) => results.filter((r) => r.status === s).length;
  const verdict = smokeExitCode(results) === 0 ? 'OK' : 'FAILED';
  return [
    `Smoke test of ${baseUrl}`,
    ...lines,
    `${verdict}: ${count('PASS')} passed, ${count('FAIL')} failed, ${count('WARN')} warnings, ${count('SKIP')} skipped`,
  ].join('\n');
}

const ArgsSchema = z.object({
  url: z
    .string()
    .url('the first argument must be the deployment URL, e.g. https://my-app.b4a.app')
    .refine((u) => /^https?:\/\//.test(u), 'the URL must start with https:// (or http:// locally)'),
  pat: z.string().min(10, '--pat is too short for an Airtable token').optional(),
  'airtable-origin': z.string().url().optional(),
  timeout: z.coerce.number().int().min(1000).max(120_000).optional(),
  json: z.boolean().default(false),
});

const HELP = `Usage: npm run smoke -- [https://<sub>.b4a.app] [--pat patXXX] [--airtable-origin URL] [--timeout MS] [--json]
  The URL defaults to the Web Hosting subdomain in back4app.config.json.
  --pat               also sign in with this Airtable personal access token (or set SMOKE_PAT)
  --airtable-origin   where /auth/authorize must redirect (default https://airtable.com)`;

export async function main(argv: string[], env = process.env): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        pat: { type: 'string' },
        'airtable-origin': { type: 'string' },
        timeout: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const url = positionals[0] ?? webHostingUrl(loadBack4AppConfig());
    if (!url) {
      console.error(
        `Give the deployment URL (or set webHostingSubdomain in back4app.config.json).\n${HELP}`,
      );
      return 2;
    }
    const parsed = ArgsSchema.safeParse({ ...values, url, pat: values.pat ?? env.SMOKE_PAT });
    if (!parsed.success) {
      console.error(`${parsed.error.issues.map((i) => i.message).join('; ')}\n${HELP}`);
      return 2;
    }
    const a = parsed.data;
    const results = await runSmoke({
      baseUrl: a.url,
      pat: a.pat,
      ...(a['airtable-origin'] ? { airtableOrigin: a['airtable-origin'] } : {}),
      ...(a.timeout ? { timeoutMs: a.timeout } : {}),
    });
    console.log(
      a.json ? JSON.stringify({ url: a.url, results }, null, 2) : formatSmokeReport(a.url, results),
    );
    return smokeExitCode(results);
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
