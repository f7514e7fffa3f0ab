/**
 * GET /internal/metrics: this process's counters (metrics.ts) for operators. Only with the
 * X-Parse-Master-Key header; anything else gets the same 404 as an unknown path, so the route is
 * not advertised to scanners. (Cloud function `metrics` answers the same from the dashboard.)
 */
import type { Express } from 'express';
import { hasMasterKey } from './master-key';
import { metricsSnapshot } from './metrics';

export const METRICS_PATH = '/internal/metrics';

export function registerMetricsRoute(app: Express): void {
  app.get(METRICS_PATH, (req, res, next) => {
    // next() falls through to the app's own 404, whatever it looks like (Express's or Back4App's).
    if (!hasMasterKey(req)) return next();
    res.setHeader('Cache-Control', 'no-store');
    res.json(metricsSnapshot());
  });
}
