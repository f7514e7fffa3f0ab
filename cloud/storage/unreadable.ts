/**
 * "This credential cannot be decrypted" is logged once per user id per process (not on every
 * request of a user who has not reconnected yet), and never with the stored value.
 */
import { log } from '../log';

const MAX_REMEMBERED = 10_000;
const reported = new Set<string>();

export function reportUnreadableCredential(userId: string): void {
  if (reported.has(userId)) return;
  if (reported.size >= MAX_REMEMBERED) reported.clear(); // bounded memory; a repeat log is harmless
  reported.add(userId);
  log.warn(
    { userId },
    'stored Airtable credential cannot be decrypted with any configured ENCRYPTION_KEY; the user must reconnect (was a key removed before rotateEncryptionKeys ran?)',
  );
}
