/**
 * GET handlers for the discovery documents (RFC 9728 section 3, RFC 8414 section 3), for the
 * public URL the request came to (cloud/http/public-origin.ts: loopback aliases in development).
 */
import type { Request, Response } from 'express';
import type { Config } from '../../config';
import { publicUrlFor } from '../../http/public-origin';
import { authorizationServerMetadata, protectedResourceMetadata } from '../protocol/metadata';

function sendJson(res: Response, body: unknown): void {
  // Public and stable: a short cache spares clients a round trip without pinning a bad deploy.
  // Vary: Host, since a loopback alias gets a document of its own in development.
  res.setHeader('Cache-Control', 'public, max-age=300');
  res.setHeader('Vary', 'Host');
  res.status(200).json(body);
}

export function protectedResourceMetadataHandler(config: Pick<Config, 'publicUrl'>) {
  return (req: Request, res: Response): void =>
    sendJson(res, protectedResourceMetadata({ publicUrl: publicUrlFor(req, config.publicUrl) }));
}

export function authorizationServerMetadataHandler(config: Pick<Config, 'publicUrl'>) {
  return (req: Request, res: Response): void =>
    sendJson(res, authorizationServerMetadata({ publicUrl: publicUrlFor(req, config.publicUrl) }));
}
