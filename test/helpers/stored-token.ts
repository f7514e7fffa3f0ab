/** Direct edits of a stored UserToken with the master key, for refresh tests. */
import { decrypt, encrypt } from '../../cloud/crypto/fernet';
import { harness, parseRest } from '../harness/env';

/**
 * Moves the stored access-token expiry into the past (as if an hour had gone by), for every
 * credential of the user (one per sign-in).
 */
export async function expireStoredAccessToken(userId: string): Promise<void> {
  const h = harness();
  const master = { 'X-Parse-Master-Key': h.masterKey };
  const where = encodeURIComponent(JSON.stringify({ user_id: userId }));
  const { json } = await parseRest('GET', `classes/UserToken?where=${where}`, master);
  const rows = json.results as { objectId: string; tokens: string }[];
  if (rows.length === 0) throw new Error(`no UserToken row for ${userId}`);
  for (const row of rows) {
    const cred = JSON.parse(decrypt(row.tokens, h.encryptionKey)) as Record<string, unknown>;
    cred.accessExpiresAt = new Date(Date.now() - 1000).toISOString();
    const put = await parseRest('PUT', `classes/UserToken/${row.objectId}`, master, {
      tokens: encrypt(JSON.stringify(cred), h.encryptionKey),
    });
    if (put.status !== 200) throw new Error(`could not update the UserToken row: ${put.status}`);
  }
}
