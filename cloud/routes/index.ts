/** Every HTTP route of the product, registered on one Express app (Express 4 or 5). */
import type { Express } from 'express';
import type { Config } from '../config';
import { registerHealthRoute } from './health';

export function registerRoutes(app: Express, _config: Config): void {
  registerHealthRoute(app);
}
