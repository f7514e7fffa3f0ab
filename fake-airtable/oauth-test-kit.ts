/**
 * Helpers for tests that drive the fake's OAuth flow by hand: PKCE pairs, states, Basic headers,
 * token requests. They build requests exactly as Airtable expects them (oauth-reference).
 */
import { createHash, randomBytes } from 'node:crypto';

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url'); // 64 chars of [A-Za-z0-9_-]
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function randomState(): string {
  return randomBytes(24).toString('base64url');
}

export function basicAuth(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
}

export function authorizeQuery(p: {
  clientId: string;
  redirectUri: string;
  scope: string;
  challenge: string;
  state?: string;
  method?: string | null;
}): URLSearchParams {
  const q = new URLSearchParams({
    client_id: p.clientId,
    redirect_uri: p.redirectUri,
    response_type: 'code',
    scope: p.scope,
    state: p.state ?? randomState(),
    code_challenge: p.challenge,
  });
  if (p.method !== null) q.set('code_challenge_method', p.method ?? 'S256');
  return q;
}

export interface TokenAnswer {
  status: number;
  json: Record<string, unknown>;
}

/** POST /oauth2/v1/token with a form body and optional Authorization header. */
export async function postToken(
  fakeUrl: string,
  form: Record<string, string>,
  authorization?: string,
): Promise<TokenAnswer> {
  const res = await fetch(`${fakeUrl}/oauth2/v1/token`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      ...(authorization ? { Authorization: authorization } : {}),
    },
    body: new URLSearchParams(form),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
