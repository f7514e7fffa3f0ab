/**
 * The headers of every HTML page we serve (sign-in pages, the home page, the consent page and the
 * authorization server's error pages): our CSP, no framing (clickjacking), no caching (pages may
 * show a session id once), no referrer, and `X-Content-Type-Options: nosniff` so a browser never
 * second-guesses the declared type (fetch.spec.whatwg.org, "X-Content-Type-Options header").
 */
import type { Response } from 'express';
import { PAGE_CSP } from './html';

export function setPageHeaders(res: Response): void {
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', PAGE_CSP);
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
}
