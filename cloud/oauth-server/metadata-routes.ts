/** GET handlers for the discovery documents (RFC 9728 section 3, RFC 8414 section 3). */
import type { Request, Response } from 'express';
import type { Config } from '../config';
import { authorizationServerMetadata, protectedResourceMetadata } from './metadata';

function sendJson(res: Response, body: unknown): void {
  // Public and stable: a short cache spares clients a round trip without pinning a bad deploy.
  res.setHeader('Cache-Control', 'public, max-age=300');
  res.status(200).json(body);
}

export function protectedResourceMetadataHandler(config: Pick<Config, 'publicUrl'>) {
  return (_req: Request, res: Response): void => sendJson(res, protectedResourceMetadata(config));
}

export function authorizationServerMetadataHandler(config: Pick<Config, 'publicUrl'>) {
  return (_req: Request, res: Response): void => sendJson(res, authorizationServerMetadata(config));
}
