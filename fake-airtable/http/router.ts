/** Top-level dispatch: admin API, injected faults, OAuth endpoints, the /v0 Web API. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleAdmin } from '../admin/admin-routes';
import type { FakeAdmin } from '../admin/fake-admin';
import { serveAttachmentFile } from '../api/attachment-upload';
import { handleContentV0, handleV0 } from '../api/v0-routes';
import type { FakeContext } from '../context';
import { handleAuthorizeDecision, handleAuthorizeGet } from '../oauth/authorize-routes';
import { handleToken } from '../oauth/token-endpoint';
import type { ActiveFault } from '../traffic/faults';
import { BodyTooLargeError, escapeHtml, sendHtml, sendJson } from './io';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The body an injected fault answers with when the test gave none, in the path's error shape. */
function faultBody(path: string, status: number): unknown {
  if (path.startsWith('/oauth2/'))
    return status === 503 || status === 429
      ? { error: 'temporarily_unavailable', error_description: 'Injected fault' }
      : { error: 'server_error', error_description: 'Injected fault' };
  if (status === 429)
    return {
      error: { type: 'RATE_LIMIT_REACHED', message: 'Rate limit exceeded. Please try again later' },
    };
  if (status >= 500)
    return {
      error: { type: 'SERVER_ERROR', message: 'Injected fault: the server encountered an error.' },
    };
  return { error: { type: 'INJECTED_FAULT', message: `Injected fault (${status})` } };
}

async function applyFault(
  ctx: FakeContext,
  fault: ActiveFault,
  path: string,
  res: ServerResponse,
): Promise<boolean> {
  ctx.stats.faultInjected();
  if (fault.delayMs > 0) await sleep(fault.delayMs);
  if (fault.status === undefined) return false;
  if (fault.status === 429 && !path.startsWith('/oauth2/')) ctx.stats.rateLimited('penalty');
  sendJson(
    res,
    fault.status,
    fault.body === undefined ? faultBody(path, fault.status) : fault.body,
    fault.headers,
  );
  return true;
}

function sandboxIndex(ctx: FakeContext): string {
  return `<!doctype html><meta charset="utf-8"><title>Airtable SANDBOX</title>
<p style="background:#b00020;color:#fff;padding:.6rem">Airtable SANDBOX - this is not Airtable</p>
<p>OAuth: <code>${escapeHtml(ctx.url)}/oauth2/v1/authorize</code>, <code>/oauth2/v1/token</code>. Web API: <code>${escapeHtml(ctx.url)}/v0</code>. Admin: <code>/__admin/*</code> (see fake-airtable/README.md).</p>`;
}

export async function dispatch(
  ctx: FakeContext,
  admin: FakeAdmin,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://fake.invalid');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  if (ctx.sandbox)
    res.on('finish', () => console.log(`[fake-airtable] ${method} ${path} -> ${res.statusCode}`));
  try {
    if (path === '/__admin' || path.startsWith('/__admin/'))
      return await handleAdmin(admin, req, res, url);
    const fault = ctx.faults.take(method, path, req.headers.authorization);
    if (fault && (await applyFault(ctx, fault, path, res))) return;
    if (path === '/oauth2/v1/authorize' && method === 'GET')
      return handleAuthorizeGet(ctx, url, res);
    if (path === '/oauth2/v1/authorize/decision' && method === 'POST')
      return await handleAuthorizeDecision(ctx, req, res);
    if (path === '/oauth2/v1/token' && method === 'POST') return await handleToken(ctx, req, res);
    if (path.startsWith('/v0/')) return await handleV0(ctx, req, res, url);
    if (path.startsWith('/content/v0/')) return await handleContentV0(ctx, req, res, url);
    if (method === 'GET' && serveAttachmentFile(ctx, path, res)) return;
    if (path === '/' && method === 'GET') return sendHtml(res, 200, sandboxIndex(ctx));
    sendJson(res, 404, { error: 'NOT_FOUND' });
  } catch (err) {
    if (res.headersSent) return void res.end();
    if (err instanceof BodyTooLargeError)
      return sendJson(res, 413, { error: 'request body too large' });
    console.error('[fake-airtable] internal error', err);
    sendJson(res, 500, {
      error: { type: 'SERVER_ERROR', message: 'Fake Airtable internal error (a bug in the fake).' },
    });
  }
}
