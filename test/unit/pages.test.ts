/**
 * Every page goes through one layout (cloud/web/html.ts): its tab title is its heading, there is
 * one heading, the SANDBOX notice is on every page in sandbox mode and on none otherwise, and
 * dates read as people read them, with a machine-readable <time>.
 */
import { readableDate, renderPage, setSandboxPages } from '../../cloud/web/html';
import { HTTP_ERRORS, pageCatalogue } from '../helpers/page-catalogue';
import type { Request } from 'express';
import { wantsHtml } from '../../cloud/http/errors';
import { httpErrorPage } from '../../cloud/web/error-pages';

function decode(text: string): string {
  return text
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

function parts(html: string): { title: string; h1s: string[]; sandbox: boolean } {
  return {
    title: decode(/<title>([\s\S]*?)<\/title>/.exec(html)?.[1] ?? ''),
    h1s: [...html.matchAll(/<h1>([\s\S]*?)<\/h1>/g)].map((m) => decode(m[1]!)),
    sandbox: html.includes('id="sandbox-notice"'),
  };
}

afterEach(() => setSandboxPages(false));

describe.each(Object.entries(pageCatalogue()))('page %s', (_name, page) => {
  it('has one heading, equal to its tab title, and a SANDBOX notice only in sandbox mode', () => {
    setSandboxPages(false);
    const plain = parts(renderPage(page));
    expect(plain.title.length).toBeGreaterThan(0);
    expect(plain.h1s).toEqual([plain.title]);
    expect(plain.sandbox).toBe(false);
    setSandboxPages(true);
    const sandboxed = parts(renderPage(page));
    expect(sandboxed.sandbox).toBe(true);
    expect(sandboxed.h1s).toEqual([sandboxed.title]);
  });

  it('is usable on a phone and says what it is', () => {
    const html = renderPage(page);
    expect(html).toContain('<meta name="viewport" content="width=device-width,initial-scale=1">');
    expect(html).toMatch(/^<!doctype html><html lang="en">/);
  });
});

describe('error pages for browsers', () => {
  it.each(HTTP_ERRORS)('$status $code on $path has a way back to the start page', (e) => {
    const html = renderPage(httpErrorPage({ ...e, message: 'Something <b>bad</b>.' }));
    expect(html).toContain('href="/"');
    expect(html).toContain('class="card err"');
    // The message is text, never markup.
    expect(html).not.toContain('<b>bad</b>');
  });

  it('a refused token says how to fix it and offers another try', () => {
    const html = renderPage(
      httpErrorPage({
        status: 401,
        code: 'invalid_api_key',
        message: 'Airtable refused the token: AUTHENTICATION_REQUIRED - Invalid token.',
        path: '/api/auth/direct',
      }),
    );
    expect(parts(html).title).toBe('Airtable refused this token');
    expect(html).toContain('airtable.com/create/tokens');
    expect(html).toContain('>Try another token</a>');
  });
});

describe('wantsHtml: pages for browsers, JSON for API clients', () => {
  const asks = (accept: string | undefined) =>
    wantsHtml({ headers: accept === undefined ? {} : { accept } } as Request);
  it.each([
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', true], // Chromium, Firefox
    ['text/html', true],
    ['application/json, text/html', true],
    ['TEXT/HTML;q=0.5, application/json;q=0.4', true],
    ['application/json', false],
    ['application/json, text/html;q=0.5', false],
    ['text/html;q=0', false],
    ['*/*', false], // curl, fetch
    ['', false],
    [undefined, false],
    ['application/json, text/event-stream', false], // MCP clients
    ['text/htmlx', false],
  ])('Accept %p: page %p', (accept, page) => {
    expect(asks(accept)).toBe(page);
  });
});

describe('readableDate', () => {
  it.each([
    ['2026-12-30T14:05:59.999Z', '30 December 2026, 14:05 UTC'],
    ['2027-01-01T00:00:00.000Z', '1 January 2027, 00:00 UTC'],
    ['2026-07-04T09:30:00.000Z', '4 July 2026, 09:30 UTC'],
  ])('%s reads as "%s" inside <time datetime>', (iso, text) => {
    expect(readableDate(new Date(iso))).toBe(`<time datetime="${iso}">${text}</time>`);
  });
});
