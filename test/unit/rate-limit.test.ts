/**
 * Limits you can trust: the client address comes from the trusted proxy hops only, so a client
 * rotating its own X-Forwarded-For entries stays in one bucket; the /token limits count per
 * address and per client (however the client names itself); the /mcp limiter counts per session.
 * Each limit answers 429 with Retry-After. (The routes of the bundle: test/integration/rate-limits.)
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type Request, type RequestHandler } from 'express';
import type { RateLimitSettings } from '../../cloud/config';
import { readBody } from '../../cloud/http/body';
import { clientIp, keyedLimiter, mcpSessionLimiter, perIpLimit } from '../../cloud/http/rate-limit';
import { tokenRateLimits } from '../../cloud/oauth-server/endpoints/rate-limit';

function settings(overrides: Partial<RateLimitSettings> = {}): RateLimitSettings {
  return {
    trustProxyHops: 0,
    multiplier: 1,
    tokenPerIp: 300,
    tokenPerClient: 300,
    mcpPerSession: 600,
    ...overrides,
  };
}

function fakeReq(xff: string | string[] | undefined, peer = '10.9.8.7'): Request {
  return {
    headers: xff === undefined ? {} : { 'x-forwarded-for': xff },
    socket: { remoteAddress: peer },
  } as unknown as Request;
}

describe('clientIp', () => {
  it('ignores X-Forwarded-For with 0 trusted hops (the default): the socket peer is the client', () => {
    expect(clientIp(fakeReq('1.2.3.4'), 0)).toBe('10.9.8.7');
    expect(clientIp(fakeReq(undefined), 0)).toBe('10.9.8.7');
  });

  it('takes the entry the nearest proxy appended with 1 hop, whatever the client wrote before it', () => {
    expect(clientIp(fakeReq('6.6.6.6, 203.0.113.9'), 1)).toBe('203.0.113.9');
    expect(clientIp(fakeReq('1.1.1.1,2.2.2.2 ,  203.0.113.9'), 1)).toBe('203.0.113.9');
    expect(clientIp(fakeReq(['6.6.6.6', '203.0.113.9']), 1)).toBe('203.0.113.9');
  });

  it('counts hops from the right with 2 proxies', () => {
    expect(clientIp(fakeReq('6.6.6.6, 198.51.100.1, 192.0.2.50'), 2)).toBe('198.51.100.1');
  });

  it('falls back to the leftmost entry, then the peer, when there are fewer entries than hops', () => {
    expect(clientIp(fakeReq('198.51.100.1'), 3)).toBe('198.51.100.1');
    expect(clientIp(fakeReq(undefined), 2)).toBe('10.9.8.7');
  });

  it('strips ports, brackets and zones, and refuses a non-address (the peer is used instead)', () => {
    expect(clientIp(fakeReq('203.0.113.9:54321'), 1)).toBe('203.0.113.9');
    expect(clientIp(fakeReq('[2001:db8::1]:443'), 1)).toBe('2001:db8::1');
    expect(clientIp(fakeReq('fe80::1%eth0'), 1)).toBe('fe80::1');
    expect(clientIp(fakeReq('unknown'), 1)).toBe('10.9.8.7');
    expect(clientIp(fakeReq('<script>'), 1)).toBe('10.9.8.7');
  });
});

let servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  servers = [];
});

async function serve(...handlers: RequestHandler[]): Promise<string> {
  const app = express();
  app.post('/x', ...handlers, (req, res) => {
    void readBody(req).then((body) => res.json({ ok: true, body }));
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
}

function post(url: string, headers: Record<string, string>, body = 'a=1') {
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
}

let n = 0;
const rotating = () => `${(n = (n + 1) % 250)}.${n}.${n}.${n}`;

describe('perIpLimit', () => {
  it('holds with 0 hops while the client rotates X-Forwarded-For', async () => {
    const url = await serve(perIpLimit(settings(), { windowMs: 60_000, limit: 3, name: 't' }));
    for (let i = 0; i < 3; i++)
      expect((await post(url, { 'X-Forwarded-For': rotating() })).status).toBe(200);
    const refused = await post(url, { 'X-Forwarded-For': rotating() });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ error: 'rate_limited' });
  });

  it('holds with 1 hop while the client rotates the entries left of the proxy-added one', async () => {
    const url = await serve(
      perIpLimit(settings({ trustProxyHops: 1 }), { windowMs: 60_000, limit: 2, name: 't' }),
    );
    const from = (who: string) => ({ 'X-Forwarded-For': `${rotating()}, ${who}` });
    expect((await post(url, from('203.0.113.5'))).status).toBe(200);
    expect((await post(url, from('203.0.113.5'))).status).toBe(200);
    expect((await post(url, from('203.0.113.5'))).status).toBe(429);
    // Another client behind the same proxy has its own budget.
    expect((await post(url, from('203.0.113.6'))).status).toBe(200);
  });

  it('scales with RATE_LIMIT_MULTIPLIER', async () => {
    const url = await serve(
      perIpLimit(settings({ multiplier: 2 }), { windowMs: 60_000, limit: 1, name: 't' }),
    );
    expect((await post(url, {})).status).toBe(200);
    expect((await post(url, {})).status).toBe(200);
    expect((await post(url, {})).status).toBe(429);
  });
});

describe('tokenRateLimits', () => {
  const basic = (id: string) => `Basic ${Buffer.from(`${id}:secret`).toString('base64')}`;

  it('limits one client across addresses, however it names itself, and leaves the body readable', async () => {
    const url = await serve(
      ...tokenRateLimits(settings({ trustProxyHops: 1, tokenPerClient: 3, tokenPerIp: 100 })),
    );
    const from = () => ({ 'X-Forwarded-For': rotating() });
    const ok = await post(url, from(), 'grant_type=refresh_token&client_id=client-a&x=1');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({
      ok: true,
      body: { grant_type: 'refresh_token', client_id: 'client-a', x: '1' },
    });
    expect((await post(url, { ...from(), Authorization: basic('client-a') })).status).toBe(200);
    // RFC 6749 2.3.1: Basic credentials are form-encoded; the same client, the same budget.
    expect((await post(url, { ...from(), Authorization: basic('client%2Da') }, '')).status).toBe(
      200,
    );
    const refused = await post(url, from(), 'client_id=client-a');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('cache-control')).toBe('no-store');
    expect(await refused.json()).toMatchObject({ error: 'too_many_requests' });
    // Another client is not affected; a request naming no client is left to the per-IP limit.
    expect((await post(url, from(), 'client_id=client-b')).status).toBe(200);
    expect((await post(url, from(), 'grant_type=x')).status).toBe(200);
  });

  it('limits one address across clients', async () => {
    const url = await serve(...tokenRateLimits(settings({ tokenPerIp: 2, tokenPerClient: 100 })));
    expect((await post(url, { 'X-Forwarded-For': rotating() }, 'client_id=a')).status).toBe(200);
    expect((await post(url, { 'X-Forwarded-For': rotating() }, 'client_id=b')).status).toBe(200);
    const refused = await post(url, { 'X-Forwarded-For': rotating() }, 'client_id=c');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeTruthy();
  });

  it('works when a body parser ran first (Back4App may install one)', async () => {
    const url = await serve(
      express.urlencoded({ extended: false }) as RequestHandler,
      ...tokenRateLimits(settings({ tokenPerClient: 1 })),
    );
    expect((await post(url, {}, 'client_id=pre&a=2')).status).toBe(200);
    expect((await post(url, {}, 'client_id=pre')).status).toBe(429);
  });

  it('refuses an oversized body with 413 before counting the client', async () => {
    const url = await serve(...tokenRateLimits(settings()));
    const res = await post(url, {}, `client_id=a&pad=${'x'.repeat(20_000)}`);
    expect(res.status).toBe(413);
  });
});

describe('keyedLimiter and mcpSessionLimiter', () => {
  it('counts per key and says how long to wait', async () => {
    const limit = keyedLimiter({ windowMs: 60_000, limit: 2 });
    expect(await limit('s1')).toBe(0);
    expect(await limit('s1')).toBe(0);
    const wait = await limit('s1');
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    expect(await limit('s2')).toBe(0);
  });

  it('answers /mcp refusals with a message and Retry-After, per session', async () => {
    const limit = mcpSessionLimiter(settings({ mcpPerSession: 1 }));
    expect(await limit('session-a')).toBeUndefined();
    const refused = await limit('session-a');
    expect(refused?.message).toMatch(/Too many requests on this session; retry in \d+ s\./);
    expect(Number(refused?.headers['Retry-After'])).toBeGreaterThan(0);
    expect(await limit('session-b')).toBeUndefined();
  });
});
