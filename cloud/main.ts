/**
 * Cloud Code entry (`dist/cloud/main.js`): triggers, jobs and cloud functions. Loading it
 * validates the configuration (a missing or malformed secret stops start-up with a message naming
 * the variable) and makes sure our classes exist locked to the master key.
 */
import { getConfig } from './config';
import { log } from './log';
import { ensureSchema } from './schema/ensure';

getConfig();
ensureSchema().catch(() => {
  /* logged in ensureSchema; /health stays 503 until it succeeds */
});
log.debug('cloud code loaded');
