/**
 * Job `rotateEncryptionKeys`: re-encrypts every encrypted value (UserToken.tokens, the PKCE
 * verifier in OAuthState.data) with the FIRST key of ENCRYPTION_KEY. Key rotation without
 * downtime: set ENCRYPTION_KEY="new,old" (every key decrypts, the first encrypts), run this job,
 * then drop "old" once it reports unreadable 0 and skipped 0.
 *
 * - Resumable: values already under the first key are skipped, so a re-run continues.
 * - Unreadable values (under no configured key) are counted and logged without the value, never
 *   deleted: the operator may still have the missing key.
 * - A token is rewritten only while holding its refresh claim (refresh-claim.ts), because Airtable
 *   rotates refresh tokens: writing back a re-encrypted copy of a token a concurrent refresh just
 *   replaced would resurrect a dead refresh token. A row whose claim is busy is `skipped` (re-run).
 */
import { processBus } from '../cache/invalidation';
import { encrypt } from '../crypto/fernet';
import { getConfig } from '../config';
import { log } from '../log';
import { getParse, type ParseSdk } from '../parse-runtime';
import { CLASSES, parseStoredStateData, tryDecrypt } from '../storage/codec';
import { isObjectNotFound } from '../storage/errors';
import { incrementRefreshClaim } from '../storage/parse-claim';
import { allPages, MASTER, type ParseObject } from '../storage/parse-ops';
import { claimWinnable } from '../storage/refresh-claim';

export const ROTATE_JOB = 'rotateEncryptionKeys';

export interface RotationCounts {
  scanned: number;
  reencrypted: number;
  alreadyCurrent: number;
  unreadable: number;
  /** Changed by someone else meanwhile (refresh in flight, state consumed): re-run to cover. */
  skipped: number;
}

export interface RotationOptions {
  Parse: ParseSdk;
  keys: readonly string[];
  now?: () => Date;
  pageSize?: number;
  /** How long a rotation claim on a token holds off refreshers (its write ends it earlier). */
  leaseMs?: number;
  progress?: (message: string) => Promise<void>;
}

const newCounts = (): RotationCounts => ({
  scanned: 0,
  reencrypted: 0,
  alreadyCurrent: 0,
  unreadable: 0,
  skipped: 0,
});

type Outcome = Exclude<keyof RotationCounts, 'scanned'>;
const MAX_UNREADABLE_LOGS = 100;

function dateOf(row: ParseObject, field: string): Date | undefined {
  const v: unknown = row.get(field);
  return v instanceof Date ? v : undefined;
}

async function rotateToken(row: ParseObject, o: Required<RotationOptions>): Promise<Outcome> {
  const opened = tryDecrypt(row.get('tokens'), o.keys);
  if (!opened) return 'unreadable';
  if (opened.keyIndex === 0) return 'alreadyCurrent';
  const claim = Number(row.get('refresh_claim') ?? 0);
  const state = {
    claim,
    claimAt: dateOf(row, 'refresh_claim_at'),
    tokensUpdatedAt: dateOf(row, 'tokens_updated_at'),
  };
  if (!row.id || !claimWinnable(state, claim, o.leaseMs, o.now())) return 'skipped';
  if ((await incrementRefreshClaim(o.Parse, row.id, o.now())) !== claim + 1) return 'skipped';
  // We hold the claim: no refresh writes this row until we store it (or the lease runs out).
  const fresh = await new o.Parse.Query(CLASSES.token).select('tokens').get(row.id, MASTER);
  const current = tryDecrypt(fresh.get('tokens'), o.keys);
  if (!current) return 'unreadable';
  const tokens =
    current.keyIndex === 0 ? fresh.get('tokens') : encrypt(current.plaintext, o.keys[0]!);
  // tokens_updated_at ends our claim at once, so waiting refreshers go on.
  await fresh.save({ tokens, tokens_updated_at: o.now() }, MASTER);
  return current.keyIndex === 0 ? 'alreadyCurrent' : 'reencrypted';
}

async function rotateState(row: ParseObject, o: Required<RotationOptions>): Promise<Outcome> {
  const stored = parseStoredStateData(row.get('data'));
  const opened = stored && tryDecrypt(stored.encryptedCodeVerifier, o.keys);
  if (!stored || !opened) return 'unreadable';
  if (opened.keyIndex === 0) return 'alreadyCurrent';
  const data = JSON.stringify({
    ...stored,
    encryptedCodeVerifier: encrypt(opened.plaintext, o.keys[0]!),
  });
  try {
    await row.save({ data }, MASTER);
  } catch (err) {
    if (isObjectNotFound(err)) return 'skipped'; // consumed meanwhile: nothing left to rotate
    throw err;
  }
  return 'reencrypted';
}

const PLANS = [
  {
    className: CLASSES.token,
    select: ['tokens', 'user_id', 'refresh_claim', 'refresh_claim_at', 'tokens_updated_at'],
    rotate: rotateToken,
  },
  { className: CLASSES.state, select: ['data'], rotate: rotateState },
] as const;

export async function rotateEncryptionKeys(
  opts: RotationOptions,
): Promise<Record<string, RotationCounts>> {
  const o: Required<RotationOptions> = {
    now: () => new Date(),
    pageSize: 200,
    leaseMs: 30_000,
    progress: async () => {},
    ...opts,
  };
  const result: Record<string, RotationCounts> = {};
  let unreadableLogged = 0;
  for (const plan of PLANS) {
    const counts = newCounts();
    result[plan.className] = counts;
    const pages = allPages(o.Parse, plan.className, { pageSize: o.pageSize, select: plan.select });
    for await (const page of pages) {
      // A handful at a time: parallel enough to be quick, gentle on a shared database.
      for (let i = 0; i < page.length; i += 8) {
        const rows = page.slice(i, i + 8);
        const outcomes = await Promise.all(rows.map((row) => plan.rotate(row, o)));
        outcomes.forEach((outcome, k) => {
          counts.scanned++;
          counts[outcome]++;
          if (outcome === 'unreadable' && unreadableLogged++ < MAX_UNREADABLE_LOGS) {
            const row = rows[k]!;
            // Never the value: the class, the row and (tokens) whose credential it is.
            log.warn(
              { className: plan.className, objectId: row.id, userId: row.get('user_id') },
              'rotateEncryptionKeys: value cannot be decrypted with any configured key; left as is',
            );
          }
        });
      }
      await o.progress(`${plan.className}: ${JSON.stringify(counts)}`);
    }
  }
  return result;
}

export function registerRotateKeysJob(): void {
  const Parse = getParse();
  Parse.Cloud.job(ROTATE_JOB, async (request) => {
    const progress = async (message: string) => {
      await Promise.resolve(request.message(message) as unknown).catch(() => undefined);
    };
    const keys = getConfig().encryptionKeys;
    const result = await rotateEncryptionKeys({ Parse, keys, progress });
    // Decrypted credentials cached by this process's routes (app.js) are dropped at once.
    processBus().publish({ kind: 'all-credentials', value: 'rotation' });
    log.info({ job: ROTATE_JOB, result, keyCount: keys.length }, 'key rotation finished');
    return JSON.stringify(result);
  });
}
