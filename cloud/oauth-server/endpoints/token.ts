/**
 * POST /token (RFC 6749 section 3.2): form-encoded as the RFC says, JSON accepted too. Client
 * authentication first (client-auth.ts), then the grant type. Every answer is no-store and
 * no-cache (RFC 6749 section 5.1); errors per section 5.2.
 */
import type { Request, Response } from 'express';
import { readBody } from '../../http/body';
import { authenticateClient, presentedClient, type PresentedClient } from '../clients/client-auth';
import { touchClient } from '../clients/clients';
import {
  InvalidRequestError,
  sendOAuthError,
  UnauthorizedClientError,
  UnsupportedGrantTypeError,
} from '../protocol/errors';
import type { OAuthCoreDeps } from '../options';
import { exchangeAuthorizationCode } from './token-authorization-code';
import { refreshTokens } from './token-refresh';

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function tokenHandler(deps: OAuthCoreDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    let presented: PresentedClient | undefined;
    try {
      const body = await readBody(req, 16 * 1024);
      if (!isRecord(body)) throw new InvalidRequestError('The request body must be form fields.');
      const grantType = body.grant_type;
      if (typeof grantType !== 'string' || grantType === '')
        throw new InvalidRequestError('grant_type is required.');
      presented = presentedClient(req, body);
      const client = await authenticateClient(deps, presented);
      let tokens;
      if (grantType === 'authorization_code' || grantType === 'refresh_token') {
        if (!client.metadata.grant_types.includes(grantType))
          throw new UnauthorizedClientError(`This client did not register the ${grantType} grant.`);
        tokens =
          grantType === 'authorization_code'
            ? await exchangeAuthorizationCode(deps, client, body)
            : await refreshTokens(deps, client, body);
      } else {
        throw new UnsupportedGrantTypeError(
          'grant_type must be authorization_code or refresh_token.',
        );
      }
      await touchClient(deps, client);
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Pragma', 'no-cache');
      res.status(200).json(tokens);
    } catch (err) {
      sendOAuthError(res, err, req, { basicChallenge: presented?.usedBasic === true });
    }
  };
}
