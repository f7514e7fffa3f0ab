/**
 * The headers of every HTML page we serve (sign-in pages, the home page, the consent page and the
 * authorization server's error pages): our CSP, no framing (clickjacking), no caching (pages may
 * show a session id once), no referrer, and `X-Content-Type-Options: nosniff` so a browser never
 * second-guesses the declared type (fetch.spec.whatwg.org, "X-Content-Type-Options header").
 * sendPage is the one function that writes a page: headers, status and the layout (cloud/web/html.ts).
 */
import type { Response } from 'express';
import { PAGE_CSP, renderPage, type Page } from './html';

export function setPageHeaders(res: Response): void {
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', PAGE_CSP);
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
}

/** Writes `page` with our page headers (and any extra ones, such as Retry-After or Allow). */
export function sendPage(
  res: Response,
  status: number,
  page: Page,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.status(status);
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  setPageHeaders(res);
  res.send(renderPage(page));
}
