/**
 * Every page the product renders, with sample data: the unit test checks each one's title and
 * heading, and the browser test screenshots the ones a running server cannot be made to show
 * (the "configure OAuth" page needs a server without AIRTABLE_CLIENT_ID). Add new pages here.
 */
import type { ClientMetadata } from '../../cloud/oauth-server/store/store';
import { consentPage } from '../../cloud/oauth-server/pages/consent-page';
import type { Page } from '../../cloud/web/html';
import { httpErrorPage } from '../../cloud/web/error-pages';
import {
  configureOAuthPage,
  connectedPage,
  describeAirtableError,
  errorPage,
  homePage,
  signedOutPage,
} from '../../cloud/web/pages';

const LONG = 'x'.repeat(300);

/** The HTTP errors our routes send to browsers (cloud/web/error-pages.ts), by code. */
export const HTTP_ERRORS: { status: number; code: string; path: string }[] = [
  { status: 401, code: 'invalid_api_key', path: '/api/auth/direct' },
  { status: 502, code: 'airtable_unavailable', path: '/api/auth/direct' },
  { status: 400, code: 'invalid_request', path: '/api/auth/direct' },
  { status: 403, code: 'cross_site_request', path: '/auth/logout' },
  { status: 401, code: 'invalid_token', path: '/auth/logout' },
  { status: 429, code: 'rate_limited', path: '/auth/authorize' },
  { status: 404, code: 'not_found', path: `/auth/${LONG}` },
  { status: 405, code: 'method_not_allowed', path: '/api/auth/direct' },
  { status: 503, code: 'temporarily_unavailable', path: '/auth/callback' },
  { status: 500, code: 'server_error', path: '/auth/callback' },
  { status: 400, code: 'invalid_request', path: '/auth/authorize' },
];

export function pageCatalogue(): Record<string, Page> {
  const pages: Record<string, Page> = {
    home: homePage({ publicUrl: 'https://mcp.example.com', oauthConfigured: true }),
    'home without OAuth': homePage({
      publicUrl: 'https://mcp.example.com',
      oauthConfigured: false,
    }),
    connected: connectedPage({
      userId: 'usrAAAAAAAAAAAAAA',
      email: `someone.with.a.very.long.address.${'y'.repeat(60)}@example.com`,
      platform: 'other',
      mcpUrl: 'https://mcp.example.com/mcp',
      sessionId: 'S'.repeat(43),
      expiresAt: new Date('2026-12-30T14:05:09.000Z'),
    }),
    'signed out': signedOutPage({ revokedSessions: 1, credentialDeleted: true }),
    'configure OAuth': configureOAuthPage('https://mcp.example.com/auth/callback'),
    'Airtable did not connect': errorPage({
      title: 'Airtable did not connect',
      message: describeAirtableError('access_denied'),
      retryUrl: '/auth/authorize',
    }),
    consent: consentPage({
      client: {
        clientId: 'client-id',
        source: 'registered',
        metadata: {
          client_name: `A client with a long name ${'n'.repeat(80)}`,
          redirect_uris: [`https://client.example.com/callback/${LONG}`],
        } as ClientMetadata,
      },
      request: {
        clientId: 'client-id',
        redirectUri: `https://client.example.com/callback/${LONG}`,
        codeChallenge: 'c'.repeat(43),
        resource: 'https://mcp.example.com/mcp',
        scopes: ['airtable:read', 'airtable:write'],
      },
      formToken: 't'.repeat(60),
      account: { userId: 'usrAAAAAAAAAAAAAA', email: 'someone@example.com', kind: 'oauth' },
    }),
  };
  for (const e of HTTP_ERRORS)
    pages[`error ${e.status} ${e.code} ${e.path.slice(0, 20)}`] = httpErrorPage({
      ...e,
      message: `Message for ${e.code}.`,
    });
  return pages;
}
