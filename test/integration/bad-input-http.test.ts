/**
 * Hostile input on every HTTP endpoint except /mcp (bad-input-mcp.test.ts): malformed and
 * oversize bodies, wrong types, unicode and control characters, CR/LF meant for header injection,
 * odd headers. Whatever arrives: no 5xx, no hang, no stack trace, no injected header, a Location
 * (when there is one) that only ever points where it may - and a refused request (4xx) changes no
 * row of ours (fingerprinted with the master key before and after).
 *
 * Runs on a private stack (its own database, so the fingerprint sees only this file's requests; our
 * per-IP rate limits scaled up so they do not hide the handlers) and a private Airtable fake.
 */
import fc from 'fast-check';
import { productEnv, startFakeAirtable, type FakeAirtable } from '../../fake-airtable/server';
import { harness } from '../harness/env';
import { uniqueUserId } from '../helpers/airtable';
import {
  assertSafeAnswer,
  encodeAny,
  hasLoneSurrogate,
  headerValue,
  hostileJson,
  hostileString,
  queryString,
  rawRequest,
  rowFingerprint,
  runs,
  type RawAnswer,
  type RawRequest,
} from '../helpers/fuzz';
import { startChildStack, type ChildStack } from '../helpers/child-stack';
import { removeTempDir, tempDir } from '../helpers/temp-dir';

const h = harness();
let fake: FakeAirtable;
let stack: ChildStack;
let dataDir: string;
let session: string;
let clientId: string;
const REDIRECT = 'https://client.example/cb';

beforeAll(async () => {
  dataDir = tempDir('bad-http');
  fake = await startFakeAirtable({ port: 0 });
  stack = await startChildStack({
    dataDir,
    env: {
      ...productEnv(fake),
      RATE_LIMIT_MULTIPLIER: '10000',
    },
  });
  // One signed-in user and one registered MCP client, so hostile input also meets real records.
  const user = fake.admin.createUser({ id: uniqueUserId() });
  const { token } = fake.admin.createPat({
    userId: user.id,
    scopes: ['data.records:read'],
    bases: 'all',
  });
  const signIn = await fetch(`${stack.url}/api/auth/direct`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ api_key: token }),
  });
  expect(signIn.status).toBe(200);
  session = ((await signIn.json()) as { session_id: string }).session_id;
  const reg = await fetch(`${stack.url}/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      client_name: 'Fuzz client',
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'none',
    }),
  });
  expect(reg.status).toBe(201);
  clientId = ((await reg.json()) as { client_id: string }).client_id;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
  removeTempDir(dataDir);
});

const fingerprint = () => rowFingerprint(stack.url, h.appId, h.masterKey);

/**
 * Sends `req`, checks the answer, and - when it is a refusal - that no row changed. `refused`
 * says which statuses count as refusals (default: every 4xx).
 */
async function probe(
  what: string,
  req: RawRequest,
  refused: (a: RawAnswer) => boolean = (a) => a.status >= 400,
): Promise<RawAnswer> {
  const before = await fingerprint();
  const answer = await rawRequest(stack.url, req);
  assertSafeAnswer(`${what} ${req.method} ${req.path.slice(0, 200)}`, answer);
  if (refused(answer)) {
    const after = await fingerprint();
    if (after !== before)
      throw new Error(`${what}: refused with ${answer.status} but rows changed`);
  }
  return answer;
}

it('the fingerprint sees rows (sanity check of the check)', async () => {
  const fp = await fingerprint();
  expect(fp).toMatch(/UserToken:\w+@/);
  expect(fp).toMatch(/UserSession:\w+@/);
  expect(fp).toMatch(/OAuthClient:\w+@/);
});

const bodyKinds = fc.oneof(
  hostileJson.map((v) => ({ type: 'application/json', body: JSON.stringify(v) ?? 'null' })),
  fc.dictionary(hostileString, hostileString, { maxKeys: 5 }).map((d) => ({
    type: 'application/x-www-form-urlencoded',
    body: new URLSearchParams(d).toString(),
  })),
  hostileString.map((s) => ({ type: 'application/json', body: `{"a": ${s}` })),
  fc.record({ type: headerValue, body: hostileString }),
);

describe('GET /auth/authorize', () => {
  it('any query: a redirect to Airtable with only our parameters, or a 400', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.constantFrom('platform', 'state', 'redirect_uri', 'x', 'scope'),
          hostileString,
        ),
        fc.boolean(),
        async (query, loose) => {
          const a = await probe('authorize', {
            method: 'GET',
            path: `/auth/authorize?${queryString(query, loose)}`,
          });
          expect([302, 400]).toContain(a.status);
          if (a.status === 302) {
            const to = new URL(a.headers.location!);
            expect(to.origin).toBe(fake.url);
            expect([...to.searchParams.keys()].sort()).toEqual(
              [
                'client_id',
                'code_challenge',
                'code_challenge_method',
                'redirect_uri',
                'response_type',
                'scope',
                'state',
              ].sort(),
            );
            expect(to.searchParams.get('redirect_uri')).toBe(`${stack.url}/auth/callback`);
          }
        },
      ),
      runs(30),
    );
  });
});

describe('GET /auth/callback', () => {
  it('any state, code or error: refused, nothing consumed or stored, no redirect', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.constantFrom('state', 'code', 'error', 'error_description', 'scope'),
          hostileString,
        ),
        fc.boolean(),
        fc.constantFrom('application/json', 'text/html', '*/*'),
        async (query, loose, accept) => {
          const a = await probe('callback', {
            method: 'GET',
            path: `/auth/callback?${queryString(query, loose)}`,
            headers: { Accept: accept },
          });
          expect([400, 403]).toContain(a.status);
          expect(a.headers.location).toBeUndefined();
        },
      ),
      runs(30),
    );
  });
});

describe('POST /api/auth/direct', () => {
  it('any body: a 4xx, nothing stored', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          bodyKinds,
          fc
            .record({ api_key: hostileString, platform: hostileString })
            .map((b) => ({ type: 'application/json', body: JSON.stringify(b) })),
          fc
            .stringMatching(/^pat[A-Za-z0-9]{14}\.[a-f0-9]{64}$/)
            .map((k) => ({ type: 'application/json', body: JSON.stringify({ api_key: k }) })),
        ),
        async ({ type, body }) => {
          const a = await probe('direct', {
            method: 'POST',
            path: '/api/auth/direct',
            headers: { 'Content-Type': type },
            body,
          });
          expect([400, 401, 415]).toContain(a.status);
        },
      ),
      runs(40),
    );
  });

  it.each([
    ['a declared oversize body', 'content-length'],
    ['an oversize chunked body', 'chunked'],
  ])('answers 413 to %s', async (_label, mode) => {
    const body = JSON.stringify({ api_key: 'x'.repeat(64 * 1024) });
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (mode === 'chunked') headers['Transfer-Encoding'] = 'chunked';
    const a = await probe('direct 413', {
      method: 'POST',
      path: '/api/auth/direct',
      headers,
      body,
    });
    expect(a.status).toBe(413);
  });
});

describe('sessions: GET /api/auth/session and POST /auth/logout', () => {
  it('any Authorization or Cookie header that is not a session: 401, nothing revoked', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/api/auth/session', '/auth/logout'),
        fc.option(headerValue, { nil: undefined }),
        fc.option(headerValue, { nil: undefined }),
        fc.option(bodyKinds, { nil: undefined }),
        async (route, authorization, cookie, body) => {
          const headers: Record<string, string> = {};
          if (authorization !== undefined) headers.Authorization = authorization;
          if (cookie !== undefined) headers.Cookie = cookie;
          if (body) headers['Content-Type'] = body.type;
          const a = await probe('session', {
            method: route === '/auth/logout' ? 'POST' : 'GET',
            path: route,
            headers,
            ...(body ? { body: body.body } : {}),
          });
          expect(a.status).toBe(401);
        },
      ),
      runs(40),
    );
  });

  it('a signed-in logout with an oversize body is refused (413) and the session lives on', async () => {
    const a = await probe('logout 413', {
      method: 'POST',
      path: '/auth/logout',
      headers: { Authorization: `Bearer ${session}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ all: true, pad: 'x'.repeat(8 * 1024) }),
    });
    expect(a.status).toBe(413);
    const still = await fetch(`${stack.url}/api/auth/session`, {
      headers: { Authorization: `Bearer ${session}` },
    });
    expect(still.status).toBe(200);
  });
});

describe('OAuth server: POST /register', () => {
  it('any metadata: 201 with a client, or a 4xx that stores nothing', async () => {
    const metadata = fc.oneof(
      hostileJson,
      fc.record(
        {
          client_name: fc.oneof(hostileString, hostileJson),
          redirect_uris: fc.oneof(fc.array(hostileString, { maxLength: 3 }), hostileJson),
          grant_types: fc.oneof(fc.array(hostileString, { maxLength: 3 }), hostileJson),
          token_endpoint_auth_method: fc.oneof(
            hostileString,
            fc.constantFrom('none', 'client_secret_basic'),
          ),
          scope: hostileString,
          client_uri: hostileString,
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        metadata,
        fc.constantFrom('application/json', 'text/plain', ''),
        async (m, type) => {
          const a = await probe('register', {
            method: 'POST',
            path: '/register',
            headers: type ? { 'Content-Type': type } : {},
            body: JSON.stringify(m) ?? 'null',
          });
          expect([201, 400, 415]).toContain(a.status);
        },
      ),
      runs(40),
    );
  });
});

const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

/** Usually the valid value (to get past the first check), sometimes something hostile. */
function mostly(valid: string): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constant(valid), weight: 4 },
    { arbitrary: hostileString, weight: 1 },
  );
}

/** The hidden fields and action of our consent form, and its "approve" button. */
function consentForm(html: string): { action: string; fields: URLSearchParams } {
  const unescape = (v: string) =>
    v
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  const form = /<form[^>]*method="post"[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error(`no consent form: ${html.slice(0, 300)}`);
  const fields = new URLSearchParams();
  for (const m of form[2]!.matchAll(/<input[^>]*type="hidden"[^>]*>/gi)) {
    const name = /name="([^"]*)"/.exec(m[0])?.[1];
    if (name !== undefined) fields.append(name, unescape(/value="([^"]*)"/.exec(m[0])?.[1] ?? ''));
  }
  const allow = /<button[^>]*name="([^"]+)"[^>]*value="approve"[^>]*>/i.exec(form[2]!);
  if (!allow) throw new Error('no approve button');
  fields.append(allow[1]!, 'approve');
  return { action: unescape(form[1]!), fields };
}

describe('OAuth server: GET /authorize', () => {
  it('any request: consent page, an error page, or an error redirect to the registered URI with the state intact', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            client_id: mostly(clientId),
            redirect_uri: mostly(REDIRECT),
            response_type: mostly('code'),
            code_challenge: mostly(CHALLENGE),
            code_challenge_method: mostly('S256'),
            state: hostileString,
            scope: fc.oneof(fc.constant('data.records:read'), hostileString),
            resource: mostly(`${stack.url}/mcp`),
          },
          { requiredKeys: ['client_id', 'redirect_uri', 'response_type', 'code_challenge'] },
        ),
        fc.boolean(),
        async (query, loose) => {
          const a = await probe(
            'authorize',
            { method: 'GET', path: `/authorize?${queryString(query, loose)}` },
            (x) => x.status !== 200, // the consent page stores its nonce; everything else is a refusal
          );
          expect([200, 302, 400, 401]).toContain(a.status);
          if (a.status === 302) {
            const to = new URL(a.headers.location!);
            expect(`${to.origin}${to.pathname}`).toBe(REDIRECT);
            expect(to.searchParams.get('error')).toBeTruthy();
            // The state comes back exactly as the client sent it (properly encoded, never spliced).
            if (!loose && query.state !== undefined && !hasLoneSurrogate(query.state))
              expect(to.searchParams.get('state')).toBe(query.state);
          }
        },
      ),
      runs(40),
    );
  });
});

describe('OAuth server: POST /authorize/decision, /token, /revoke', () => {
  it('any form: a 4xx (or 200 for a revocation of nothing) and no row changes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/authorize/decision', '/token', '/revoke'),
        fc.oneof(
          bodyKinds,
          fc
            .record(
              {
                grant_type: fc.oneof(
                  fc.constantFrom('authorization_code', 'refresh_token', 'client_credentials'),
                  hostileString,
                ),
                code: hostileString,
                refresh_token: hostileString,
                token: hostileString,
                client_id: fc.oneof(fc.constant(clientId), hostileString),
                redirect_uri: fc.oneof(fc.constant(REDIRECT), hostileString),
                code_verifier: hostileString,
                resource: hostileString,
                request_id: hostileString,
                decision: fc.oneof(fc.constantFrom('approve', 'deny'), hostileString),
                form_token: hostileString,
              },
              { requiredKeys: [] },
            )
            .map((d) => ({
              type: 'application/x-www-form-urlencoded',
              body: new URLSearchParams(d).toString(),
            })),
        ),
        async (route, { type, body }) => {
          const a = await probe(
            route,
            { method: 'POST', path: route, headers: { 'Content-Type': type }, body },
            () => true, // nothing valid can be in here: every answer must leave the rows alone
          );
          if (route === '/revoke') expect([200, 400, 401, 415]).toContain(a.status);
          else expect(a.status).toBeGreaterThanOrEqual(400);
          if (route === '/authorize/decision' && a.headers.location)
            expect(a.headers.location.startsWith(REDIRECT)).toBe(true);
        },
      ),
      runs(50),
    );
  });

  it('answers 413 to oversize token and registration bodies', async () => {
    for (const route of ['/token', '/revoke', '/register', '/authorize/decision']) {
      const a = await probe(route, {
        method: 'POST',
        path: route,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: `x=${'y'.repeat(40 * 1024)}`,
      });
      expect([route, a.status]).toEqual([route, 413]);
    }
  });
});

describe('discovery documents and preflights', () => {
  it('any query, headers or preflight: the same documents, nothing reflected', async () => {
    const paths = [
      '/.well-known/oauth-protected-resource',
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-authorization-server',
    ];
    const expected = new Map<string, string>();
    for (const p of paths) expected.set(p, await (await fetch(`${stack.url}${p}`)).text());
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths, '/register', '/token', '/revoke'),
        fc.constantFrom('GET', 'OPTIONS'),
        fc.dictionary(fc.constantFrom('a', 'resource', 'x'), hostileString, { maxKeys: 2 }),
        fc.record(
          {
            Origin: headerValue,
            'Access-Control-Request-Method': headerValue,
            'Access-Control-Request-Headers': headerValue,
            Accept: headerValue,
            'X-Forwarded-Host': headerValue,
          },
          { requiredKeys: [] },
        ),
        async (route, method, query, headers) => {
          const q = queryString(query);
          const a = await probe('discovery', {
            method,
            path: `${route}${q ? `?${q}` : ''}`,
            headers,
          });
          if (method === 'GET' && expected.has(route)) {
            expect(a.status).toBe(200);
            expect(a.body).toBe(expected.get(route));
          } else expect(a.status).toBeLessThan(500);
        },
      ),
      runs(30),
    );
  });
});

it('any method, path and headers on any route: never a 5xx or a leak', async () => {
  const routes = [
    '/',
    '/health',
    '/auth/authorize',
    '/auth/callback',
    '/api/auth/direct',
    '/api/auth/session',
    '/auth/logout',
    '/mcp',
    '/register',
    '/authorize',
    '/authorize/decision',
    '/token',
    '/revoke',
    '/internal/metrics',
    '/.well-known/oauth-authorization-server',
  ];
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
      fc.constantFrom(...routes),
      fc.oneof(
        fc.constant(''),
        hostileString.map((s) => encodeAny(s)),
      ),
      fc.record(
        {
          'Content-Type': headerValue,
          Accept: headerValue,
          'X-Request-Id': headerValue,
          Cookie: headerValue,
          Authorization: headerValue,
          'X-Parse-Master-Key': headerValue,
        },
        { requiredKeys: [] },
      ),
      fc.option(bodyKinds, { nil: undefined }),
      async (method, route, suffix, headers, body) => {
        const a = await probe(
          'any',
          {
            method,
            path: `${route}${suffix ? `/${suffix}` : ''}`,
            headers,
            ...(body && method !== 'GET' && method !== 'HEAD' ? { body: body.body } : {}),
          },
          (x) => x.status >= 400,
        );
        // Our request id is echoed when sane and replaced otherwise: never a reflected header.
        const rid = a.headers['x-request-id'];
        if (rid !== undefined)
          expect(String(rid)).toMatch(/^[A-Za-z0-9][A-Za-z0-9._:@+=/-]{0,127}$/);
      },
    ),
    runs(60),
  );
});

describe('a hostile client state through the whole chain (consent, Airtable, callback)', () => {
  it('comes back to the client exactly as sent, encoded, whether Airtable approves or denies', async () => {
    fake.admin.registerRedirectUri({ uri: `${stack.url}/auth/callback` });
    const user = fake.admin.createUser({ id: uniqueUserId() });
    let landed = 0;
    await fc.assert(
      fc.asyncProperty(
        hostileString.filter((st) => st.length > 0 && !hasLoneSurrogate(st)),
        fc.constantFrom('approve', 'deny'),
        async (state, decision) => {
          const query = queryString({
            client_id: clientId,
            redirect_uri: REDIRECT,
            response_type: 'code',
            code_challenge: CHALLENGE,
            code_challenge_method: 'S256',
            state,
          });
          const page = await rawRequest(stack.url, { method: 'GET', path: `/authorize?${query}` });
          assertSafeAnswer('consent page', page);
          if (page.status !== 200) {
            // Refused up front (e.g. a state longer than allowed): then it must not be a redirect.
            expect(page.headers.location).toBeUndefined();
            return;
          }
          const cookies = (page.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]!);
          const { action, fields } = consentForm(page.body);
          const decided = await rawRequest(stack.url, {
            method: 'POST',
            path: new URL(action, stack.url).pathname,
            headers: {
              'Content-Type': 'application/x-www-form-urlencoded',
              Cookie: cookies.join('; '),
              Origin: stack.url,
              'Sec-Fetch-Site': 'same-origin',
            },
            body: fields.toString(),
          });
          assertSafeAnswer('decision', decided);
          expect(decided.headers.location).toBeDefined();
          const airtable = fake.admin.authorize({
            url: decided.headers.location!,
            user_id: user.id,
            decision,
          });
          if (!airtable.ok) throw new Error(airtable.error_description);
          const cb = new URL(airtable.location);
          const back = await rawRequest(stack.url, {
            method: 'GET',
            path: `${cb.pathname}${cb.search}`,
            headers: { Cookie: cookies.join('; ') },
          });
          assertSafeAnswer('callback', back);
          expect(back.status).toBe(302);
          const landing = new URL(back.headers.location!);
          expect(`${landing.origin}${landing.pathname}`).toBe(REDIRECT);
          expect(landing.searchParams.get('state')).toBe(state);
          expect(landing.searchParams.has(decision === 'approve' ? 'code' : 'error')).toBe(true);
          landed++;
        },
      ),
      runs(10),
    );
    expect(landed).toBeGreaterThan(runs(10).numRuns / 2); // the chain really ran, not just refusals
  });
});
