/**
 * GET /oauth2/v1/authorize renders the consent page; POST /oauth2/v1/authorize/decision (form:
 * request_id, user_id, decision=approve|deny, base_ids repeated or comma separated) redirects back.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { FakeContext } from '../context';
import { AuthorizePageError } from '../http/errors';
import { mediaType, readBody, sendHtml, sendRedirect } from '../http/io';
import { validateAuthorize, withQuery, type ValidAuthorizeRequest } from './authorize-request';
import { decide } from './authorization-decision';
import { consentPage, errorPage } from './consent-page';

/** A consent page must be answered within this time (same as a code's lifetime). */
const PENDING_TTL_MS = 10 * 60 * 1000;

export function handleAuthorizeGet(ctx: FakeContext, url: URL, res: ServerResponse): void {
  ctx.stats.authorize();
  const v = validateAuthorize(ctx, url.searchParams);
  if (v.kind === 'page') return sendHtml(res, 400, errorPage(v.error, v.description));
  if (v.kind === 'redirect')
    return sendRedirect(
      res,
      withQuery(v.redirectUri, {
        error: v.error,
        error_description: v.description,
        state: v.state,
      }),
    );
  const id = randomBytes(24).toString('base64url');
  const r = v.request;
  ctx.store.pending.set(id, {
    id,
    clientId: r.client.clientId,
    redirectUri: r.redirectUri,
    scopes: r.scopes,
    state: r.state,
    codeChallenge: r.codeChallenge,
    createdAt: ctx.clock.now(),
    used: false,
  });
  sendHtml(
    res,
    200,
    consentPage({
      requestId: id,
      request: r,
      users: [...ctx.store.users.values()],
      bases: [...ctx.store.bases.values()],
    }),
  );
}

/** Splits repeated and comma-separated base id values. */
export function baseIdList(values: string[]): string[] {
  return values
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export async function handleAuthorizeDecision(
  ctx: FakeContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (mediaType(req) !== 'application/x-www-form-urlencoded')
    return sendHtml(
      res,
      400,
      errorPage('invalid_request', 'Send the consent form as application/x-www-form-urlencoded.'),
    );
  const form = new URLSearchParams(await readBody(req));
  const pending = ctx.store.pending.get(form.get('request_id') ?? '');
  if (!pending || pending.used || ctx.clock.now() - pending.createdAt > PENDING_TTL_MS)
    return sendHtml(
      res,
      400,
      errorPage(
        'invalid_request',
        'Unknown, used or expired authorization request: start again from the integration.',
      ),
    );
  const client = ctx.store.clients.get(pending.clientId);
  const decision = form.get('decision');
  if (!client || (decision !== 'approve' && decision !== 'deny'))
    return sendHtml(
      res,
      400,
      errorPage('invalid_request', 'decision must be "approve" or "deny".'),
    );
  pending.used = true;
  const request: ValidAuthorizeRequest = {
    client,
    redirectUri: pending.redirectUri,
    scopes: pending.scopes,
    state: pending.state,
    codeChallenge: pending.codeChallenge,
  };
  try {
    const result = decide(
      ctx,
      request,
      decision,
      form.get('user_id') ?? undefined,
      baseIdList(form.getAll('base_ids')),
    );
    sendRedirect(res, result.location);
  } catch (err) {
    if (err instanceof AuthorizePageError)
      return sendHtml(res, 400, errorPage(err.error, err.message));
    throw err;
  }
}
