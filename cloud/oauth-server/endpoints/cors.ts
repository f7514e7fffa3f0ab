/**
 * CORS for the endpoints a browser-based client calls with fetch (MCP Inspector runs OAuth in the
 * page): discovery, registration, token and revocation. Any origin, never credentials - these
 * endpoints authenticate with what the request body or Authorization header carries, not cookies.
 * /authorize is a top-level navigation and gets no CORS headers.
 */
import type { Express, Request, RequestHandler, Response } from 'express';

const ALLOW_HEADERS = 'Authorization, Content-Type, MCP-Protocol-Version';

export function setCorsHeaders(res: Response, methods: string): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Allow-Methods', methods);
  res.setHeader('Access-Control-Allow-Headers', ALLOW_HEADERS);
  res.setHeader('Access-Control-Expose-Headers', 'WWW-Authenticate');
  res.setHeader('Access-Control-Max-Age', '86400');
}

/** Middleware adding CORS headers to the real request. */
export function cors(methods: string): RequestHandler {
  return (_req: Request, res: Response, next) => {
    setCorsHeaders(res, methods);
    next();
  };
}

/** Answers the preflight (OPTIONS) for `path`. */
export function registerPreflight(app: Express, path: string, methods: string): void {
  app.options(path, (_req, res) => {
    setCorsHeaders(res, `${methods}, OPTIONS`);
    res.status(204).end();
  });
}
