/**
 * POST /api/auth/direct (the seed's API-key path), GET /api/auth/session and POST /auth/logout:
 * the key is checked with Airtable before anything is stored; bad input is a clear 4xx.
 */
import { harness, parseRest } from '../harness/env';
import { fakeAdmin, sessionFromPat, userWithPat } from '../helpers/airtable';

const h = harness();
const master = { 'X-Parse-Master-Key': h.masterKey };

async function tokenRows(userId: string): Promise<number> {
  const where = encodeURIComponent(JSON.stringify({ user_id: userId }));
  const { json } = await parseRest('GET', `classes/UserToken?where=${where}`, master);
  return (json.results as unknown[]).length;
}

function direct(body: string, contentType: string): Promise<Response> {
  return fetch(`${h.baseUrl}/api/auth/direct`, {
    method: 'POST',
    headers: { 'Content-Type': contentType },
    body,
  });
}

describe('POST /api/auth/direct', () => {
  it('accepts the seed form body and stores the PAT encrypted', async () => {
    const { userId, pat } = await userWithPat();
    const res = await direct(
      `api_key=${encodeURIComponent(pat)}&platform=chatgpt`,
      'application/x-www-form-urlencoded',
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, string>;
    expect(body.user_id).toBe(userId);
    expect(body.mcp_url).toBe(`${h.baseUrl}/mcp`);
    expect(Date.parse(body.expires_at!)).toBeGreaterThan(Date.now() + 29 * 86400_000);
    const where = encodeURIComponent(JSON.stringify({ user_id: userId }));
    const { json } = await parseRest('GET', `classes/UserToken?where=${where}`, master);
    const row = (json.results as Record<string, unknown>[])[0]!;
    expect(row.kind).toBe('pat');
    expect(String(row.tokens)).not.toContain(pat);
  });

  it('accepts JSON', async () => {
    const { pat } = await userWithPat();
    expect(typeof (await sessionFromPat(pat))).toBe('string');
  });

  it('refuses a key Airtable refuses with 401 and stores nothing', async () => {
    const { userId, pat } = await userWithPat();
    await fakeAdmin().revokePat(pat);
    const res = await direct(JSON.stringify({ api_key: pat }), 'application/json');
    expect(res.status).toBe(401);
    const body = (await res.json()) as Record<string, string>;
    expect(body.error).toBe('invalid_api_key');
    expect(body.error_description).not.toContain(pat);
    expect(await tokenRows(userId)).toBe(0);
  });

  it.each([
    ['missing api_key', '{}', 'application/json', 400],
    ['api_key of the wrong type', '{"api_key": 42}', 'application/json', 400],
    ['malformed JSON', '{"api_key": ', 'application/json', 400],
    ['api_key with spaces', '{"api_key": "pat abc def ghi"}', 'application/json', 400],
    ['a JSON array', '[1,2]', 'application/json', 400],
    ['an unsupported content type', 'api_key=x', 'text/plain', 415],
    [
      'a bad platform',
      '{"api_key": "patAAAAAAAAAAAAAA.aaaa", "platform": "<x>"}',
      'application/json',
      400,
    ],
  ])('answers %s with a clear 4xx', async (_label, body, type, status) => {
    const res = await direct(body, type);
    expect(res.status).toBe(status);
    const json = (await res.json()) as Record<string, string>;
    expect(json.error_description).toBeTruthy();
  });

  it('answers 413 for a huge body', async () => {
    const res = await direct(JSON.stringify({ api_key: 'x'.repeat(100_000) }), 'application/json');
    expect(res.status).toBe(413);
  });

  it('answers 502 when Airtable is down, and stores nothing', async () => {
    const { userId, pat } = await userWithPat();
    // Scoped to this PAT: other test files sign in concurrently on the same fake.
    await fakeAdmin().addFault({
      pathPattern: '^/v0/meta/whoami$',
      authorization: `Bearer ${pat}`,
      status: 503,
      times: 1,
    });
    const res = await direct(JSON.stringify({ api_key: pat }), 'application/json');
    expect(res.status).toBe(502);
    expect(await tokenRows(userId)).toBe(0);
  });
});

describe('sessions', () => {
  it('GET /api/auth/session answers 401 with how to sign in, without a session', async () => {
    const res = await fetch(`${h.baseUrl}/api/auth/session`);
    expect(res.status).toBe(401);
    const body = (await res.json()) as Record<string, string>;
    expect(body.sign_in).toBe(`${h.baseUrl}/auth/authorize`);
    const bad = await fetch(`${h.baseUrl}/api/auth/session`, {
      headers: { Authorization: 'Bearer nope' },
    });
    expect(bad.status).toBe(401);
    const garbage = await fetch(`${h.baseUrl}/api/auth/session`, {
      headers: { Authorization: 'Basic abc' },
    });
    expect(garbage.status).toBe(401);
  });

  it('the cookie authenticates same-site requests but not cross-site ones', async () => {
    const { pat } = await userWithPat();
    const sid = await sessionFromPat(pat);
    const same = await fetch(`${h.baseUrl}/api/auth/session`, {
      headers: { Cookie: `session_id=${sid}` },
    });
    expect(same.status).toBe(200);
    const cross = await fetch(`${h.baseUrl}/api/auth/session`, {
      headers: { Cookie: `session_id=${sid}`, 'Sec-Fetch-Site': 'cross-site' },
    });
    expect(cross.status).toBe(401);
    const evil = await fetch(`${h.baseUrl}/api/auth/session`, {
      headers: { Cookie: `session_id=${sid}`, Origin: 'https://evil.example' },
    });
    expect(evil.status).toBe(401);
  });

  it('POST /auth/logout ends this session only', async () => {
    const { pat } = await userWithPat();
    const a = await sessionFromPat(pat);
    const b = await sessionFromPat(pat);
    const out = await fetch(`${h.baseUrl}/auth/logout`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${a}` },
    });
    expect(out.status).toBe(200);
    expect(
      (await fetch(`${h.baseUrl}/api/auth/session`, { headers: { Authorization: `Bearer ${a}` } }))
        .status,
    ).toBe(401);
    expect(
      (await fetch(`${h.baseUrl}/api/auth/session`, { headers: { Authorization: `Bearer ${b}` } }))
        .status,
    ).toBe(200);
  });

  it('POST /auth/logout with all=true ends every session and deletes the Airtable tokens', async () => {
    const { userId, pat } = await userWithPat();
    const a = await sessionFromPat(pat);
    const b = await sessionFromPat(pat);
    const out = await fetch(`${h.baseUrl}/auth/logout`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${a}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ all: true }),
    });
    expect(out.status).toBe(200);
    expect(((await out.json()) as Record<string, unknown>).revoked_sessions).toBe(2);
    expect(
      (await fetch(`${h.baseUrl}/api/auth/session`, { headers: { Authorization: `Bearer ${b}` } }))
        .status,
    ).toBe(401);
    expect(await tokenRows(userId)).toBe(0);
  });

  it("operators list and revoke a user's sessions with the master key only", async () => {
    const { userId, pat } = await userWithPat();
    const sid = await sessionFromPat(pat, 'cursor');
    const denied = await parseRest(
      'POST',
      'functions/listUserSessions',
      { 'X-Parse-REST-API-Key': h.restApiKey },
      { user_id: userId },
    );
    expect(denied.status).not.toBe(200);
    const list = await parseRest('POST', 'functions/listUserSessions', master, { user_id: userId });
    expect(list.status).toBe(200);
    const sessions = list.json.result as Record<string, unknown>[];
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.platform).toBe('cursor');
    expect(JSON.stringify(sessions)).not.toContain(sid);
    const bad = await parseRest('POST', 'functions/listUserSessions', master, { user_id: 'x' });
    expect(bad.status).toBe(400);
    const revoke = await parseRest('POST', 'functions/revokeUserSessions', master, {
      user_id: userId,
    });
    expect(revoke.status).toBe(200);
    expect(
      (
        await fetch(`${h.baseUrl}/api/auth/session`, {
          headers: { Authorization: `Bearer ${sid}` },
        })
      ).status,
    ).toBe(401);
    expect(await tokenRows(userId)).toBe(0);
  });
});
