/**
 * Cloud Code web entry (`dist/cloud/app.js`): registers the HTTP routes on the Express app that
 * Back4App Web Hosting provides as the global `app` (emulated by `npm start`). Never imports
 * express itself (platform-facts.md, Back4App).
 */
import './node-compat';
import type { Express } from 'express';
import { getConfig } from './config';
import { configureResultSize } from './mcp/result-size';
import { registerRoutes } from './routes';

const g = globalThis as { app?: Express; __airtableMcpRoutes?: boolean };
if (!g.app) {
  throw new Error(
    'app.js needs the global Express `app` of Back4App Web Hosting; enable Web Hosting for this app (or run npm start locally).',
  );
}
// Back4App may load app.js itself, and main.js may also require it: register once.
if (!g.__airtableMcpRoutes) {
  g.__airtableMcpRoutes = true;
  const config = getConfig();
  configureResultSize(config.mcp.maxResultChars);
  registerRoutes(g.app, config);
}
