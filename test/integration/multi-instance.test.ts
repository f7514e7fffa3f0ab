/**
 * Two server processes on one database, no Redis (the main test stack plus one more instance):
 * sessions work on both; a revocation is immediate on the instance that made it (also when the
 * operator's cloud function in main.js does it and the routes run in app.js: one process, two
 * bundles) and reaches the other instance once that instance's session cache entry expires
 * (SESSION_CACHE_TTL_MS) - the documented price of not asking the database on every call.
 */
import { harness } from '../harness/env';
import { sessionFromPat, userWithPat } from '../helpers/airtable';
import { startChildStack, type ChildStack } from '../helpers/child-stack';
import {
  logout,
  mcpStatus,
  operatorRevoke,
  sessionStatus,
  signIn,
  sleep,
} from './multi-instance-http';

const h = harness();
/** The extra instance's cache TTL; the main stack runs with the default (5 s). */
const TTL = 3_000;
const MAIN_TTL = 5_000;
let other: ChildStack;

beforeAll(async () => {
  other = await startChildStack({ env: { SESSION_CACHE_TTL_MS: String(TTL) } });
});
afterAll(async () => {
  await other?.stop();
});

it('a session made on one instance works on the other, both ways', async () => {
  const { pat } = await userWithPat();
  const onMain = await sessionFromPat(pat);
  const onOther = await signIn(other.url, pat);
  expect(await mcpStatus(onMain, other.url)).toBe(200);
  expect(await mcpStatus(onOther, h.baseUrl)).toBe(200);
});

it('a logout is refused at once where it happened, and on the other instance after its cache TTL', async () => {
  const { pat } = await userWithPat();
  const sessionId = await signIn(other.url, pat); // main's sign-in rate limit is shared
  expect(await sessionStatus(sessionId, other.url)).toBe(200); // now cached on the other instance
  const cachedAt = Date.now();
  await logout(h.baseUrl, sessionId);
  expect(await sessionStatus(sessionId, h.baseUrl)).toBe(401);
  // Within the TTL the other instance still trusts its entry (no Redis to tell it)... (only
  // checkable while the TTL lasts: on a loaded machine the steps above may take longer than it)
  const within = await sessionStatus(sessionId, other.url);
  if (Date.now() - cachedAt < TTL) expect(within).toBe(200);
  // ...and once the TTL is over it asks the database again.
  await sleep(cachedAt + TTL + 250 - Date.now());
  expect(await sessionStatus(sessionId, other.url)).toBe(401);
});

it("the operator's revokeUserSessions (main.js) is immediate for the routes (app.js) of the same process", async () => {
  const { userId, pat } = await userWithPat();
  const sessionId = await signIn(other.url, pat); // main's sign-in rate limit is shared
  expect(await sessionStatus(sessionId, h.baseUrl)).toBe(200); // cached by app.js (the storage /mcp uses)
  await operatorRevoke(h.baseUrl, userId);
  expect(await sessionStatus(sessionId, h.baseUrl)).toBe(401);
});

it("a logout on the other instance reaches the main one within the main one's TTL", async () => {
  const { pat } = await userWithPat();
  const sessionId = await signIn(other.url, pat);
  expect(await sessionStatus(sessionId, h.baseUrl)).toBe(200);
  const cachedAt = Date.now();
  await logout(other.url, sessionId, true);
  expect(await sessionStatus(sessionId, other.url)).toBe(401);
  expect(await sessionStatus(sessionId, h.baseUrl)).toBe(200); // still cached there
  await sleep(cachedAt + MAIN_TTL + 250 - Date.now());
  expect(await sessionStatus(sessionId, h.baseUrl)).toBe(401);
});
