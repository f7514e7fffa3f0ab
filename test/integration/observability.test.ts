/**
 * Request ids and operator metrics on the running stack: X-Request-Id is echoed (a sane incoming
 * one kept, anything else replaced), GET /internal/metrics answers only to the master key (404
 * otherwise, like any unknown path), and the master-key-only cloud function `metrics` sees the
 * same counters as the web routes (main.js and app.js share them within one process).
 */
import { harness } from '../harness/env';

const h = harness();

async function metricsViaRoute(headers: Record<string, string>): Promise<Response> {
  return fetch(`${h.baseUrl}/internal/metrics`, { headers });
}

async function metricsViaFunction(keys: Record<string, string>): Promise<Response> {
  return fetch(`${h.baseUrl}/parse/functions/metrics`, {
    method: 'POST',
    headers: { 'X-Parse-Application-Id': h.appId, 'Content-Type': 'application/json', ...keys },
    body: '{}',
  });
}

describe('X-Request-Id', () => {
  it.each(['/health', '/mcp', '/api/auth/session', '/.well-known/oauth-authorization-server'])(
    'is echoed on %s: a sane incoming id is kept, anything else replaced by a UUID',
    async (route) => {
      const method = route === '/mcp' ? 'POST' : 'GET';
      const kept = await fetch(`${h.baseUrl}${route}`, {
        method,
        headers: { 'X-Request-Id': 'trace-42.a_b:c' },
      });
      expect(kept.headers.get('x-request-id')).toBe('trace-42.a_b:c');
      for (const bad of ['has space', 'x'.repeat(200), '<script>', '']) {
        const res = await fetch(`${h.baseUrl}${route}`, {
          method,
          headers: { 'X-Request-Id': bad },
        });
        expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f-]{27}$/);
      }
      const none = await fetch(`${h.baseUrl}${route}`, { method });
      expect(none.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f-]{27}$/);
    },
  );
});

describe('GET /internal/metrics', () => {
  it('is a 404 without the master key, whatever else is sent', async () => {
    const unknown = await fetch(`${h.baseUrl}/internal/no-such-thing`);
    const attempts: Record<string, string>[] = [
      {},
      { 'X-Parse-Master-Key': 'wrong' },
      { 'X-Parse-Master-Key': `${h.masterKey}x` },
      { 'X-Parse-REST-API-Key': h.restApiKey },
      { Authorization: `Bearer ${h.masterKey}` },
    ];
    for (const headers of attempts) {
      const res = await metricsViaRoute(headers);
      expect(res.status).toBe(404);
      expect(await res.text()).toBe(
        (await (await fetch(`${h.baseUrl}/internal/no-such-thing`)).text()).replace(
          'no-such-thing',
          'metrics',
        ),
      );
    }
    expect(unknown.status).toBe(404);
  });

  it('answers the counters to the master key, counting what happens (an auth failure here)', async () => {
    const before = await metricsViaRoute({ 'X-Parse-Master-Key': h.masterKey });
    expect(before.status).toBe(200);
    expect(before.headers.get('cache-control')).toBe('no-store');
    const b = (await before.json()) as {
      counters: Record<string, number>;
      process: { pid: number };
    };
    const denied = await fetch(`${h.baseUrl}/mcp`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
      },
      body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
    });
    expect(denied.status).toBe(401);
    const after = (await (await metricsViaRoute({ 'X-Parse-Master-Key': h.masterKey })).json()) as {
      counters: Record<string, number>;
    };
    expect(after.counters['auth_failures.mcp_token']).toBeGreaterThan(
      b.counters['auth_failures.mcp_token']!,
    );
    expect(after.counters.http_requests).toBeGreaterThan(b.counters.http_requests!);
    expect(b.process.pid).toEqual(expect.any(Number));
  });
});

describe('cloud function metrics', () => {
  it('needs the master key', async () => {
    const res = await metricsViaFunction({ 'X-Parse-REST-API-Key': h.restApiKey });
    expect(res.status).not.toBe(200);
    expect(JSON.stringify(await res.json())).not.toContain('counters');
  });

  it('returns the same counters the web routes count (one registry per process)', async () => {
    const res = await metricsViaFunction({ 'X-Parse-Master-Key': h.masterKey });
    expect(res.status).toBe(200);
    const fromFunction = ((await res.json()) as { result: { counters: Record<string, number> } })
      .result;
    const fromRoute = (await (
      await metricsViaRoute({ 'X-Parse-Master-Key': h.masterKey })
    ).json()) as { counters: Record<string, number> };
    // app.js counted these; main.js reads them: a shared registry, not two copies at zero.
    expect(fromFunction.counters.http_requests).toBeGreaterThan(0);
    expect(fromRoute.counters.http_requests).toBeGreaterThanOrEqual(
      fromFunction.counters.http_requests!,
    );
    expect(Object.keys(fromFunction.counters).sort()).toEqual(
      Object.keys(fromRoute.counters).sort(),
    );
  });
});
