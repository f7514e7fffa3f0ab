/**
 * The page a browser gets for an HTTP error of our routes (cloud/http/errors.ts sendError: HTML
 * when the request asks for text/html, JSON otherwise). Each says what went wrong, what to do
 * about it, and links back: to retry where retrying makes sense, always to the start page.
 */
import type { Page } from './html';
import { errorPage } from './pages';

export interface ErrorFacts {
  status: number;
  code: string;
  /** Client-safe message (the JSON error_description). */
  message: string;
  /** The request path: the way back depends on where the person was. */
  path: string;
}

const TRY_ANOTHER_TOKEN = { retryUrl: '/', retryLabel: 'Try another token' } as const;
const SIGN_IN_AGAIN = { retryUrl: '/auth/authorize', retryLabel: 'Sign in again' } as const;

export function httpErrorPage(e: ErrorFacts): Page {
  const direct = e.path === '/api/auth/direct';
  switch (e.code) {
    case 'invalid_api_key':
      return errorPage({
        title: 'Airtable refused this token',
        message: e.message,
        fix: 'Check that you pasted the whole personal access token (it starts with "pat" and has a dot in the middle), that it has not been deleted or regenerated, and that it has the scopes you need - manage your tokens at airtable.com/create/tokens. Then try again.',
        code: e.code,
        ...TRY_ANOTHER_TOKEN,
      });
    case 'airtable_unavailable':
      return errorPage({
        title: 'Airtable could not be reached',
        message: e.message,
        fix: 'Nothing was stored. Wait a minute and try again.',
        code: e.code,
        ...(direct ? { retryUrl: '/', retryLabel: 'Try again' } : {}),
      });
    case 'cross_site_request':
      return errorPage({
        title: 'Request from another site refused',
        message: e.message,
        fix: "Only the forms on this server's own pages can sign you in or out. If you did not click a button here yourself, close this page. Otherwise open the start page and use its form.",
        code: e.code,
      });
    case 'invalid_token':
      return errorPage({
        title: 'You are not signed in',
        message: e.message,
        fix: 'Your session has ended or this browser has no session any more, so there was nothing to do here. Sign in again if you want to connect.',
        code: e.code,
        ...SIGN_IN_AGAIN,
      });
    case 'rate_limited':
    case 'too_many_requests':
      return errorPage({
        title: 'Too many attempts',
        message: e.message,
        fix: 'Wait a minute, then try again.',
        code: e.code,
      });
    case 'not_found':
      return errorPage({
        title: 'Page not found',
        message: `There is no page at ${e.path.slice(0, 200)}.`,
        fix: 'Start from the start page.',
      });
    case 'method_not_allowed':
      return errorPage({
        title: 'This address is not a page',
        message: e.message,
        fix: 'It answers the forms and applications of this server, not a visit in the browser (reloading a page after sending a form lands here too). Start from the start page.',
        code: e.code,
      });
    case 'temporarily_unavailable':
      return errorPage({
        title: 'The server is busy',
        message: e.message,
        fix: 'Nothing was changed. Wait a few seconds and try again.',
        code: e.code,
      });
    default:
      break;
  }
  if (direct && e.status === 400)
    return errorPage({
      title: 'This token cannot be used',
      message: e.message,
      fix: 'Paste an Airtable personal access token (create one at airtable.com/create/tokens) and try again.',
      code: e.code,
      ...TRY_ANOTHER_TOKEN,
    });
  if (e.status >= 500)
    return errorPage({
      title: 'Something went wrong',
      message: e.message,
      fix: 'Try again in a minute. If it keeps happening, tell the operator of this server.',
      code: e.code,
    });
  return errorPage({
    title: 'This request cannot be completed',
    message: e.message,
    code: e.code,
    ...(e.path.startsWith('/auth/') ? SIGN_IN_AGAIN : {}),
  });
}
