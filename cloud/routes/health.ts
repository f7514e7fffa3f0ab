/**
 * GET /health: 200 only once the database answers and every class of ours exists locked to the
 * master key; 503 otherwise (so `npm start`, load balancers and the smoke test can wait on it).
 */
import type { Express } from 'express';
import { handle } from '../http/errors';
import { masterSchemaRequest } from '../parse-runtime';
import { checkSchema } from '../schema/apply';
import { CLASS_DEFINITIONS } from '../schema/definitions';

export function registerHealthRoute(app: Express): void {
  app.get(
    '/health',
    handle(async (_req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      try {
        const drift = await checkSchema(masterSchemaRequest, CLASS_DEFINITIONS);
        if (drift.length > 0) {
          res.status(503).json({ status: 'starting', database: 'ok', schema: 'pending' });
          return;
        }
        res.status(200).json({ status: 'ok', database: 'ok', schema: 'ok' });
      } catch {
        res.status(503).json({ status: 'unavailable', database: 'error' });
      }
    }),
  );
}
