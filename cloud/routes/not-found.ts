/**
 * The end of our browser-facing paths: a wrong method on one of our routes is a 405 (with Allow,
 * RFC 9110 section 15.5.6: a reloaded form result, a link to a form's target), an unknown path
 * under our prefixes a 404 - a page for browsers, JSON for API clients (sendError). Registered
 * after every route of ours; paths outside our prefixes (/parse, Back4App's own) are left alone.
 */
import type { Express, NextFunction, Request, Response } from 'express';
import { HttpError, sendError } from '../http/errors';

/** Our routes a browser may reach, and the methods each answers (HEAD comes with GET). */
const ROUTES: Record<string, string> = {
  '/': 'GET, HEAD',
  '/auth/authorize': 'GET, HEAD',
  '/auth/callback': 'GET, HEAD',
  '/auth/logout': 'POST',
  '/api/auth/direct': 'POST',
  '/api/auth/session': 'GET, HEAD',
  '/authorize': 'GET, HEAD',
  '/authorize/decision': 'POST',
};

const PREFIXES = ['/auth/', '/api/auth/', '/authorize/'];

export function registerNotFound(app: Express): void {
  app.use((req: Request, res: Response, next: NextFunction) => {
    // Express matches paths without a trailing slash's significance ("strict routing" off).
    const path = (req.path.length > 1 ? req.path.replace(/\/+$/, '') : req.path).slice(0, 200);
    const allow = ROUTES[path];
    if (allow) {
      sendError(
        res,
        new HttpError(
          405,
          'method_not_allowed',
          `${path} does not answer ${req.method.slice(0, 10)} requests (it answers ${allow}).`,
          { Allow: allow },
        ),
        req,
      );
      return;
    }
    if (PREFIXES.some((p) => path.startsWith(p) || path === p.slice(0, -1))) {
      sendError(res, new HttpError(404, 'not_found', `There is nothing at ${path}.`), req);
      return;
    }
    next();
  });
}
