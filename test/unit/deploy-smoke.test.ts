/**
 * The smoke test's report logic (scripts/deploy/smoke.ts) against an injected fetch that plays a
 * conforming deployment, then the same deployment with one defect at a time.
 */
import {
  formatSmokeReport,
  runSmoke,
  smokeExitCode,
  type SmokeResult,
} from '../../scripts/deploy/smoke';
import { jsonRpcMessages, challengeParams } from '../../scripts/deploy/deploy-smoke-http';

const BASE = 'https://my-mcp.b4a.app';
const PAT = 'patAbCdEf01234567.0123456789abcdef0123456789abcdef';
const SESSION = 'sess_0123456789abcdefghijklmnopqrstuv';

type Defect =
  | 'no-prm'
  | 'prm-wrong-resource'
  | 'no-s256'
  | 'no-challenge'
  | 'no-resource-metadata'
  | 'no-code-challenge-method'
  | 'authorize-503'
  | 'sse'
  | 'direct-401'
  | 'whoami-error'
  | 'logout-keeps-session'
  | 'echo-secrets';

interface Call {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

function fakeDeployment(defects: Defect[] = []) {
  const has = (d: Defect) => defects.includes(d);
  const calls: Call[] = [];
  let sessionValid = false;
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json', ...headers },
    });
  const rpcReply = (body: unknown) =>
    has('sse')
      ? new Response(`event: message\ndata: ${JSON.stringify(body)}\n\n`, {
          status: 200,
          headers: { 'Content-Type': 'text/event-stream' },
        })
      : json(200, body);
  const prm = (wrong = false) =>
    json(200, {
      resource: wrong ? `${BASE}/` : `${BASE}/mcp`,
      authorization_servers: [BASE],
    });

  const fetchImpl = async (url: string, init: RequestInit): Promise<Response> => {
    const u = new URL(url);
    const headers = Object.fromEntries(
      Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [
        k.toLowerCase(),
        v,
      ]),
    );
    const body = typeof init.body === 'string' ? init.body : '';
    const method = init.method ?? 'GET';
    calls.push({ method, path: u.pathname + u.search, headers, body });
    const bearer = headers.authorization === `Bearer ${SESSION}` && sessionValid;

    switch (`${method} ${u.pathname}`) {
      case 'GET /health':
        return json(200, { status: 'ok' });
      case 'GET /.well-known/oauth-protected-resource':
        return has('no-prm') ? json(404, { error: 'not_found' }) : prm(has('prm-wrong-resource'));
      case 'GET /.well-known/oauth-protected-resource/mcp':
        return prm();
      case 'GET /.well-known/oauth-authorization-server':
        return json(200, {
          issuer: BASE,
          authorization_endpoint: `${BASE}/authorize`,
          token_endpoint: `${BASE}/token`,
          registration_endpoint: `${BASE}/register`,
          response_types_supported: ['code'],
          code_challenge_methods_supported: has('no-s256') ? ['plain'] : ['S256'],
          client_id_metadata_document_supported: true,
        });
      case 'GET /auth/authorize': {
        if (has('authorize-503')) return new Response('configure OAuth', { status: 503 });
        const to = new URL('https://airtable.com/oauth2/v1/authorize');
        to.searchParams.set('client_id', 'cid');
        to.searchParams.set('redirect_uri', `${BASE}/auth/callback`);
        to.searchParams.set('response_type', 'code');
        to.searchParams.set('scope', 'data.records:read schema.bases:read');
        to.searchParams.set('state', 'abcdefghijklmnop1234');
        to.searchParams.set('code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
        if (!has('no-code-challenge-method')) to.searchParams.set('code_challenge_method', 'S256');
        return new Response(null, { status: 302, headers: { Location: to.toString() } });
      }
      case 'POST /api/auth/direct': {
        const form = new URLSearchParams(body);
        if (has('direct-401') || form.get('api_key') !== PAT)
          return json(401, { error: 'invalid_api_key', error_description: 'Airtable said no' });
        sessionValid = true;
        return json(200, { session_id: SESSION, user_id: 'usrSmoke123', expires_at: 'x' });
      }
      case 'POST /auth/logout':
        if (!bearer) return json(401, { error: 'invalid_token' });
        if (!has('logout-keeps-session')) sessionValid = false;
        return json(200, { revoked_sessions: 1 });
      case 'POST /mcp': {
        if (!bearer) {
          const challenge = has('no-resource-metadata')
            ? 'Bearer error="invalid_token"'
            : `Bearer error="invalid_token", resource_metadata="${BASE}/.well-known/oauth-protected-resource/mcp"`;
          return json(
            401,
            { jsonrpc: '2.0', error: { code: -32001, message: 'sign in' }, id: null },
            has('no-challenge') ? {} : { 'WWW-Authenticate': challenge },
          );
        }
        const msg = JSON.parse(body) as { id?: number; method: string };
        if (msg.method === 'notifications/initialized') return new Response(null, { status: 202 });
        if (msg.method === 'initialize')
          return rpcReply({
            jsonrpc: '2.0',
            id: msg.id,
            result: {
              protocolVersion: '2025-06-18',
              capabilities: { tools: {} },
              serverInfo: { name: 'airtable-mcp', version: '0.1.0' },
            },
          });
        if (msg.method === 'tools/call') {
          const text = has('echo-secrets')
            ? `You are usrSmoke123 (token ${PAT}, session ${SESSION})`
            : 'You are usrSmoke123 (personal access token)';
          return rpcReply({
            jsonrpc: '2.0',
            id: msg.id,
            result: { content: [{ type: 'text', text }], isError: has('whoami-error') },
          });
        }
        return json(400, {});
      }
    }
    return json(404, { error: 'not_found' });
  };
  return { fetchImpl, calls };
}

const byName = (results: SmokeResult[]) => Object.fromEntries(results.map((r) => [r.name, r]));

describe('smoke test against a conforming deployment', () => {
  it('passes every check without a PAT, skipping the signed-in ones', async () => {
    const { fetchImpl } = fakeDeployment();
    const results = await runSmoke({ baseUrl: `${BASE}/`, fetch: fetchImpl });
    expect(results.map((r) => [r.name, r.status])).toEqual([
      ['health', 'PASS'],
      ['protected resource metadata', 'PASS'],
      ['authorization server metadata', 'PASS'],
      ['POST /mcp without credentials', 'PASS'],
      ['challenge resource_metadata', 'PASS'],
      ['GET /auth/authorize', 'PASS'],
      ['PAT sign-in', 'SKIP'],
      ['MCP initialize', 'SKIP'],
      ['MCP tools/call whoami', 'SKIP'],
      ['POST /auth/logout', 'SKIP'],
      ['session refused after logout', 'SKIP'],
    ]);
    expect(smokeExitCode(results)).toBe(0);
    const report = formatSmokeReport(BASE, results);
    expect(report).toMatch(/^Smoke test of https:\/\/my-mcp\.b4a\.app\n/);
    expect(report).toContain('OK: 6 passed, 0 failed, 0 warnings, 5 skipped');
  });

  it('runs the PAT flow over Streamable HTTP with the right headers', async () => {
    const { fetchImpl, calls } = fakeDeployment();
    const results = await runSmoke({ baseUrl: BASE, pat: PAT, fetch: fetchImpl });
    expect(results.every((r) => r.status === 'PASS')).toBe(true);
    expect(byName(results)['MCP tools/call whoami']!.detail).toContain('usrSmoke123');
    expect(byName(results)['MCP initialize']!.detail).toBe(
      'protocol 2025-06-18, server airtable-mcp 0.1.0',
    );

    const mcp = calls.filter((c) => c.path === '/mcp' && c.headers.authorization);
    const [init, initialized, call] = mcp;
    for (const c of mcp) {
      expect(c.headers.accept).toBe('application/json, text/event-stream');
      expect(c.headers['content-type']).toBe('application/json');
    }
    expect(init!.headers['mcp-protocol-version']).toBeUndefined();
    expect(JSON.parse(init!.body)).toMatchObject({ method: 'initialize', id: 1 });
    expect(initialized!.headers['mcp-protocol-version']).toBe('2025-06-18');
    expect(JSON.parse(call!.body)).toMatchObject({
      method: 'tools/call',
      params: { name: 'whoami', arguments: {} },
    });
    const direct = calls.find((c) => c.path === '/api/auth/direct')!;
    expect(direct.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(direct.body))).toEqual({
      api_key: PAT,
      platform: 'smoke',
    });
    expect(calls.some((c) => c.path === '/auth/logout')).toBe(true);
  });

  it('reads SSE answers too', async () => {
    const { fetchImpl } = fakeDeployment(['sse']);
    const results = await runSmoke({ baseUrl: BASE, pat: PAT, fetch: fetchImpl });
    expect(smokeExitCode(results)).toBe(0);
  });
});

describe('smoke test failures', () => {
  const cases: [Defect, string, RegExp][] = [
    ['no-prm', 'protected resource metadata', /-> 404: no Protected Resource Metadata/],
    [
      'prm-wrong-resource',
      'protected resource metadata',
      /"resource" is https:\/\/my-mcp\.b4a\.app\/, expected https:\/\/my-mcp\.b4a\.app\/mcp/,
    ],
    ['no-s256', 'authorization server metadata', /lacks "S256"/],
    ['no-challenge', 'POST /mcp without credentials', /WWW-Authenticate is missing/],
    ['no-resource-metadata', 'challenge resource_metadata', /no resource_metadata/],
    ['no-code-challenge-method', 'GET /auth/authorize', /code_challenge_method is not S256/],
    ['authorize-503', 'GET /auth/authorize', /-> 503, expected 302 .*AIRTABLE_CLIENT_ID/],
    ['direct-401', 'PAT sign-in', /-> 401 invalid_api_key Airtable said no/],
    ['whoami-error', 'MCP tools/call whoami', /whoami returned an error/],
    ['logout-keeps-session', 'session refused after logout', /got 200, expected 401/],
  ];
  it.each(cases)('%s fails "%s"', async (defect, name, detail) => {
    const { fetchImpl } = fakeDeployment([defect]);
    const results = await runSmoke({ baseUrl: BASE, pat: PAT, fetch: fetchImpl });
    const r = byName(results)[name]!;
    expect(r.status).toBe('FAIL');
    expect(r.detail).toMatch(detail);
    expect(smokeExitCode(results)).toBe(1);
    expect(formatSmokeReport(BASE, results)).toMatch(/FAILED: \d+ passed, 1 failed/);
  });

  it('skips the steps after a failed sign-in', async () => {
    const { fetchImpl } = fakeDeployment(['direct-401']);
    const r = byName(await runSmoke({ baseUrl: BASE, pat: PAT, fetch: fetchImpl }));
    expect(r['MCP initialize']).toMatchObject({ status: 'SKIP' });
    expect(r['session refused after logout']!.detail).toBe('skipped: "PAT sign-in" failed');
  });

  it('reports an unreachable deployment as FAIL lines, not a crash', async () => {
    const refused = async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    };
    const results = await runSmoke({ baseUrl: BASE, fetch: refused });
    expect(byName(results).health).toEqual({
      name: 'health',
      status: 'FAIL',
      detail: 'GET /health: ECONNREFUSED',
    });
    expect(smokeExitCode(results)).toBe(1);
  });

  it('never prints the PAT or the session id, even when the server echoes them', async () => {
    const { fetchImpl } = fakeDeployment(['echo-secrets']);
    const results = await runSmoke({ baseUrl: BASE, pat: PAT, fetch: fetchImpl });
    const report = formatSmokeReport(BASE, results);
    expect(report).toContain('[redacted]');
    expect(report).not.toContain(PAT);
    expect(report).not.toContain(SESSION);
  });
});

describe('Streamable HTTP and challenge parsing', () => {
  it('reads JSON-RPC messages from SSE events', () => {
    const text = 'event: message\ndata: {"jsonrpc":"2.0","id":1,"result":{}}\n\n: ping\n\n';
    const reply = {
      status: 200,
      headers: new Headers({ 'content-type': 'text/event-stream' }),
      text,
      json: undefined,
    };
    expect(jsonRpcMessages(reply)).toEqual([{ jsonrpc: '2.0', id: 1, result: {} }]);
  });

  it('parses quoted and bare challenge parameters', () => {
    expect(
      challengeParams('Bearer error="invalid_token", error_description="a \\"b\\"", scope=x'),
    ).toEqual({ error: 'invalid_token', error_description: 'a "b"', scope: 'x' });
  });
});
