/**
 * POST /revoke (RFC 7009): a refresh token revokes its whole grant (section 2.1: "SHOULD also
 * invalidate all access tokens based on the same authorization grant"); an access token revokes
 * itself. Only tokens issued to the authenticated client are touched. Unknown, expired or foreign
 * tokens still get 200 (section 2.2), so the answer reveals nothing.
 */
import type { Request, Response } from 'express';
import { OAuthTokenRevocationRequestSchema } from '@modelcontextprotocol/sdk/shared/auth.js';
import { keyedHash } from '../../crypto/keyed-hash';
import { readBody } from '../../http/body';
import { authenticateClient, presentedClient, type PresentedClient } from '../clients/client-auth';
import { InvalidRequestError, sendOAuthError } from '../protocol/errors';
import { revokeGrantFamily } from '../grants/grants';
import { HASH_PURPOSE, type OAuthCoreDeps } from '../options';
import { isRecord } from './token';

/** Our tokens are base64url secrets; anything else is not looked up. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,200}$/;

export function revokeHandler(deps: OAuthCoreDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    let presented: PresentedClient | undefined;
    try {
      const body = await readBody(req, 16 * 1024);
      if (!isRecord(body)) throw new InvalidRequestError('The request body must be form fields.');
      const parsed = OAuthTokenRevocationRequestSchema.safeParse(body);
      if (!parsed.success) throw new InvalidRequestError('token is required.');
      presented = presentedClient(req, body);
      const client = await authenticateClient(deps, presented);
      const { token, token_type_hint: hint } = parsed.data;
      if (TOKEN_SHAPE.test(token)) {
        let done = false;
        if (hint !== 'access_token') {
          const refresh = await deps.oauthStore.findRefreshToken(
            keyedHash(deps.config.secretKey, HASH_PURPOSE.refreshToken, token),
          );
          if (refresh && refresh.clientId === client.clientId) {
            await revokeGrantFamily(deps, refresh.grantId);
            done = true;
          }
        }
        if (!done) {
          const session = await deps.storage.findSession(token);
          if (
            session &&
            session.data.kind === 'mcp_access' &&
            session.data.clientId === client.clientId
          )
            await deps.storage.revokeSession(token);
        }
      }
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Pragma', 'no-cache');
      res.status(200).end();
    } catch (err) {
      sendOAuthError(res, err, req, { basicChallenge: presented?.usedBasic === true });
    }
  };
}
