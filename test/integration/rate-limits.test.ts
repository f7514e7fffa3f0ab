/**
 * Limits you can trust, on the bundle (issue 11: rotating X-Forwarded-For bypassed the per-IP
 * limits; /token and /mcp had none). On the shared stack, which trusts one proxy hop as behind
 * Back4App's front proxy, a client that rotates the entries it writes itself stays in its bucket;
 * on an instance with the default TRUST_PROXY_HOPS=0 rotating the whole header changes nothing.
 * /token is limited per address and per client_id, /mcp per session - each with Retry-After.
 */
import { randomBytes } from 'node:crypto';
import { harness } from '../harness/env';
import { sessionFromPat, userWithPat } from '../helpers/airtable';
import { startChildStack, type ChildStack } from '../helpers/child-stack';
import { mcpPost } from '../helpers/mcp';

const h = harness();
const octet = () => randomBytes(1)[0]! % 250;
const randomIp = () => `${octet() + 1}.${octet()}.${octet()}.${octet()}`;

interface Endpoint {
  name: string;
  limit: number;
  send(baseUrl: string, xff: string): Promise<Response>;
}

/** The four per-IP limited endpoints, each sent a request it refuses quickly (nothing is stored). */
const ENDPOINTS: Endpoint[] = [
  {
    name: 'POST /register',
    limit: 30,
    send: (base, xff) =>
      fetch(`${base}/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': xff },
        body: '{}',
      }),
  },
  {
    name: 'POST /api/auth/direct',
    limit: 20,
    send: (base, xff) =>
      fetch(`${base}/api/auth/direct`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': xff },
        body: '{}',
      }),
  },
  {
    name: 'GET /authorize',
    limit: 60,
    send: (base, xff) => fetch(`${base}/authorize`, { headers: { 'X-Forwarded-For': xff } }),
  },
  {
    name: 'GET /auth/authorize',
    limit: 30,
    send: (base, xff) =>
      fetch(`${base}/auth/authorize?platform=not-a-platform`, {
        headers: { 'X-Forwarded-For': xff },
        redirect: 'manual',
      }),
  },
];

/** Sends until the first 429 (at most limit + 1 requests); returns how many went through. */
async function untilRefused(
  endpoint: Endpoint,
  baseUrl: string,
  xff: () => string,
): Promise<{ passed: number; refused: Response | undefined }> {
  for (let i = 0; i <= endpoint.limit; i++) {
    const res = await endpoint.send(baseUrl, xff());
    if (res.status === 429) return { passed: i, refused: res };
    await res.arrayBuffer();
  }
  return { passed: endpoint.limit + 1, refused: undefined };
}

describe('behind one trusted proxy (the shared stack, TRUST_PROXY_HOPS=1)', () => {
  it.each(ENDPOINTS.map((e) => [e.name, e] as const))(
    '%s: rotating the client-written X-Forwarded-For entries does not escape the limit',
    async (_name, endpoint) => {
      const client = randomIp();
      const { passed, refused } = await untilRefused(
        endpoint,
        h.baseUrl,
        () => `${randomIp()}, ${randomIp()}, ${client}`,
      );
      expect(passed).toBe(endpoint.limit);
      expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
      await refused?.arrayBuffer();
      // Another client behind the same proxy is not affected.
      const other = await endpoint.send(h.baseUrl, `${randomIp()}, ${randomIp()}`);
      expect(other.status).not.toBe(429);
      await other.arrayBuffer();
    },
  );
});

describe('with the default TRUST_PROXY_HOPS=0 (an instance), plus the /token and /mcp limits', () => {
  let other: ChildStack;
  let sessions: [string, string];
  beforeAll(async () => {
    other = await startChildStack({
      env: {
        TRUST_PROXY_HOPS: '0',
        RATE_LIMIT_TOKEN_PER_IP: '8',
        RATE_LIMIT_TOKEN_PER_CLIENT: '3',
        RATE_LIMIT_MCP_PER_SESSION: '4',
      },
    });
    // Two sessions of one user, signed in on the shared stack (same database).
    const { pat } = await userWithPat();
    sessions = [await sessionFromPat(pat), await sessionFromPat(pat)];
  }, 120_000);
  afterAll(async () => {
    await other?.stop();
  });

  it.each(ENDPOINTS.map((e) => [e.name, e] as const))(
    '%s: a client-chosen X-Forwarded-For is ignored',
    async (_name, endpoint) => {
      const { passed, refused } = await untilRefused(endpoint, other.url, randomIp);
      expect(passed).toBe(endpoint.limit);
      expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
      await refused?.arrayBuffer();
    },
  );

  it('POST /token: per client_id, then per address, each a 429 with Retry-After', async () => {
    const token = (clientId: string) =>
      fetch(`${other.url}/token`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'X-Forwarded-For': randomIp(),
        },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: 'not-a-token',
          client_id: clientId,
        }).toString(),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await token('rl-client-x')).status);
    expect(statuses).toEqual([401, 401, 401]); // unknown client: invalid_client
    const perClient = await token('rl-client-x');
    expect(perClient.status).toBe(429);
    expect(Number(perClient.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await perClient.json()).toMatchObject({ error: 'too_many_requests' });
    // Other clients still pass the per-client limit until the address has used its 8.
    for (let i = 0; i < 4; i++) expect((await token(`rl-client-${i}`)).status).toBe(401);
    const perIp = await token('rl-client-y');
    expect(perIp.status).toBe(429);
    expect(Number(perIp.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('POST /mcp: per session, answered as a JSON-RPC error with Retry-After', async () => {
    const ping = { jsonrpc: '2.0', id: 7, method: 'ping' };
    for (let i = 0; i < 4; i++)
      expect((await mcpPost(sessions[0], ping, other.url)).status).toBe(200);
    const refused = await mcpPost(sessions[0], ping, other.url);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body).toMatchObject({
      jsonrpc: '2.0',
      error: { code: -32000, message: expect.stringMatching(/Too many requests on this session/) },
      id: null,
    });
    // The same person's other session has its own budget.
    expect((await mcpPost(sessions[1], ping, other.url)).status).toBe(200);
  });
});
