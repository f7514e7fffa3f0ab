/**
 * Load-time schema check for Cloud Code: a deploy alone must never leave one of our classes open
 * to client keys, so main.js applies what is missing (idempotent, never dropping anything).
 * Runs after parse-server finished starting (the REST controller needs the app config), retrying.
 */
import { log } from '../log';
import { masterSchemaRequest } from '../parse-runtime';
import { applySchema } from './apply';
import { CLASS_DEFINITIONS } from './definitions';

let ready: Promise<void> | undefined;

export function ensureSchema(): Promise<void> {
  ready ??= (async () => {
    const delays = [50, 100, 250, 500, 1000, 2000, 4000, 8000];
    let lastError: unknown;
    for (let attempt = 0; attempt <= delays.length; attempt++) {
      try {
        const changes = await applySchema(masterSchemaRequest, CLASS_DEFINITIONS);
        if (changes.length > 0) log.info({ changes }, 'schema applied');
        return;
      } catch (err) {
        lastError = err;
        await new Promise((r) => setTimeout(r, delays[attempt] ?? 8000));
      }
    }
    ready = undefined;
    log.error({ err: String(lastError) }, 'schema check failed; will retry on next use');
    throw lastError;
  })();
  return ready;
}
