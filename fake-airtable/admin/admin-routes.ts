/**
 * The HTTP admin API under /__admin/ (JSON in, JSON out) for tests that run in other processes.
 * Every route calls the same FakeAdmin method an in-process test would. Errors: 400/404
 * `{"error": "..."}`. Test-only: it has no authentication, so the fake binds to localhost.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { AdminError } from '../http/errors';
import { parseJson, readBody, sendJson } from '../http/io';
import { fakeConfigSchema } from '../config';
import { faultSpecSchema } from '../traffic/faults';
import {
  adminAuthorizeSchema,
  baseSpecSchema,
  bulkRecordsSchema,
  clientSpecSchema,
  clockSpecSchema,
  collaboratorSpecSchema,
  patSpecSchema,
  redirectUriSpecSchema,
  resetSpecSchema,
  revokeSpecSchema,
  userSpecSchema,
  workspaceSpecSchema,
} from './admin-schemas';
import type { FakeAdmin } from './fake-admin';

type Handler = (a: FakeAdmin, body: unknown, m: string[], url: URL) => unknown;

const d = decodeURIComponent;

const ROUTES: [method: string, pattern: RegExp, handler: Handler][] = [
  ['POST', /^\/reset$/, (a, b) => (a.reset(resetSpecSchema.parse(b ?? {})), { ok: true })],
  ['GET', /^\/users$/, (a) => ({ users: a.listUsers() })],
  ['POST', /^\/users$/, (a, b) => a.createUser(userSpecSchema.parse(b))],
  [
    'POST',
    /^\/users\/([^/]+)\/expire-access-tokens$/,
    (a, _b, m) => a.expireAccessTokens(d(m[1]!)),
  ],
  ['POST', /^\/clients$/, (a, b) => a.createClient(clientSpecSchema.parse(b))],
  ['POST', /^\/redirect-uris$/, (a, b) => a.registerRedirectUri(redirectUriSpecSchema.parse(b))],
  ['POST', /^\/pats$/, (a, b) => a.createPat(patSpecSchema.parse(b))],
  [
    'POST',
    /^\/pats\/revoke$/,
    (a, b) => a.revokePat(z.strictObject({ token: z.string() }).parse(b).token),
  ],
  ['POST', /^\/workspaces$/, (a, b) => a.createWorkspace(workspaceSpecSchema.parse(b))],
  ['POST', /^\/bases$/, (a, b) => a.createBase(baseSpecSchema.parse(b))],
  ['GET', /^\/bases\/([^/]+)\/webhooks$/, (a, _b, m) => a.listWebhooks(d(m[1]!))],
  ['GET', /^\/bases\/([^/]+)$/, (a, _b, m) => a.getBase(d(m[1]!))],
  [
    'POST',
    /^\/bases\/([^/]+)\/collaborators$/,
    (a, b, m) => a.setCollaborator(d(m[1]!), collaboratorSpecSchema.parse(b)),
  ],
  [
    'POST',
    /^\/bases\/([^/]+)\/tables\/([^/]+)\/records$/,
    (a, b, m) => a.createRecords(d(m[1]!), d(m[2]!), bulkRecordsSchema.parse(b)),
  ],
  [
    'GET',
    /^\/bases\/([^/]+)\/tables\/([^/]+)\/records$/,
    (a, _b, m) => a.listRecords(d(m[1]!), d(m[2]!)),
  ],
  ['GET', /^\/config$/, (a) => a.getConfig()],
  ['PATCH', /^\/config$/, (a, b) => a.setConfig(fakeConfigSchema.partial().parse(b))],
  ['GET', /^\/clock$/, (a) => a.now()],
  ['POST', /^\/clock\/advance$/, (a, b) => a.advanceClock(clockSpecSchema.parse(b).ms)],
  ['POST', /^\/grants\/revoke$/, (a, b) => a.revokeGrants(revokeSpecSchema.parse(b))],
  [
    'GET',
    /^\/grants$/,
    (a, _b, _m, url) => ({
      grants: a.listGrants({
        ...(url.searchParams.get('userId') ? { userId: url.searchParams.get('userId')! } : {}),
      }),
    }),
  ],
  ['POST', /^\/faults$/, (a, b) => a.addFault(faultSpecSchema.parse(b))],
  ['GET', /^\/faults$/, (a) => ({ faults: a.listFaults() })],
  ['DELETE', /^\/faults$/, (a) => (a.clearFaults(), { ok: true })],
  ['GET', /^\/stats$/, (a) => a.stats()],
  ['POST', /^\/stats\/reset$/, (a) => (a.resetStats(), { ok: true })],
  ['POST', /^\/authorize$/, (a, b) => a.authorize(adminAuthorizeSchema.parse(b))],
];

export async function handleAdmin(
  admin: FakeAdmin,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const sub = url.pathname.slice('/__admin'.length);
  const method = req.method ?? 'GET';
  const route = ROUTES.map(([m, p, h]) => ({ m, h, match: p.exec(sub) })).find(
    (r) => r.match && r.m === method,
  );
  if (!route?.match) return sendJson(res, 404, { error: `no admin route ${method} ${sub}` });
  let body: unknown = undefined;
  if (method !== 'GET' && method !== 'DELETE') {
    const text = await readBody(req);
    if (text.trim() !== '') {
      const parsed = parseJson(text);
      if (!parsed.ok) return sendJson(res, 400, { error: 'the body is not valid JSON' });
      body = parsed.value;
    }
  }
  try {
    const result = route.h(admin, body ?? {}, route.match as unknown as string[], url);
    if (
      typeof result === 'object' &&
      result !== null &&
      'ok' in result &&
      result.ok === false &&
      'error' in result
    )
      return sendJson(res, 400, result);
    sendJson(res, 200, result ?? { ok: true });
  } catch (err) {
    if (err instanceof z.ZodError)
      return sendJson(res, 400, { error: 'invalid admin request', issues: err.issues });
    if (err instanceof AdminError) return sendJson(res, err.status, { error: err.message });
    throw err;
  }
}
