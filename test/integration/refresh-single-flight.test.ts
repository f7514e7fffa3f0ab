/**
 * Airtable rotates refresh tokens, so two concurrent refreshes burn the grant. 50 concurrent tool
 * calls whose access token has expired, spread over two server processes on one database, must
 * cause exactly one refresh request to Airtable, and all 50 must succeed.
 */
import { harness, parseRest } from '../harness/env';
import { fakeAdmin, oauthSession } from '../helpers/airtable';
import { startChildStack, type ChildStack } from '../helpers/child-stack';
import { callTool } from '../helpers/mcp';
import { expireStoredAccessToken } from '../helpers/stored-token';

const h = harness();
const master = { 'X-Parse-Master-Key': h.masterKey };
let second: ChildStack;

beforeAll(async () => {
  second = await startChildStack();
});
afterAll(async () => {
  await second.stop();
});

it('50 concurrent calls over two processes refresh exactly once and all succeed', async () => {
  const { userId, sessionId } = await oauthSession();
  await expireStoredAccessToken(userId);
  const before = (await fakeAdmin().stats()).refreshesByUser[userId] ?? 0;
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      callTool(sessionId, 'whoami', {}, i % 2 === 0 ? h.baseUrl : second.url),
    ),
  );
  // The error texts, when there are some, say why (rather than "expected falsy").
  expect(results.filter((r) => r.isError).map((r) => r.content)).toEqual([]);
  const after = (await fakeAdmin().stats()).refreshesByUser[userId] ?? 0;
  expect(after - before).toBe(1);
  // the grant is still alive: a later call works with the rotated pair
  expect((await callTool(sessionId, 'whoami')).isError).toBeFalsy();
});

it('refreshes after Airtable refuses a not-yet-expired token (401), once', async () => {
  const { userId, sessionId } = await oauthSession();
  await fakeAdmin().expireAccessTokens(userId);
  const before = (await fakeAdmin().stats()).refreshesByUser[userId] ?? 0;
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      callTool(sessionId, 'whoami', {}, i % 2 === 0 ? h.baseUrl : second.url),
    ),
  );
  expect(results.filter((r) => r.isError).map((r) => r.content)).toEqual([]);
  expect(((await fakeAdmin().stats()).refreshesByUser[userId] ?? 0) - before).toBe(1);
});

it('tells the user to reconnect when Airtable revoked the grant (invalid_grant), and marks it dead', async () => {
  const { userId, sessionId } = await oauthSession();
  await fakeAdmin().revokeGrants({ userId });
  await expireStoredAccessToken(userId);
  const result = await callTool(sessionId, 'whoami');
  expect(result.isError).toBe(true);
  expect(JSON.stringify(result.content)).toMatch(/reconnect/i);
  expect(JSON.stringify(result.content)).toContain('/auth/authorize');
  const where = encodeURIComponent(JSON.stringify({ user_id: userId }));
  const { json } = await parseRest('GET', `classes/UserToken?where=${where}`, master);
  expect((json.results as { status: string }[])[0]!.status).toBe('dead');
});
