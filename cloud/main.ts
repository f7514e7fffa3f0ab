/**
 * Cloud Code entry (`dist/cloud/main.js`): triggers, jobs and cloud functions. Loading it
 * validates the configuration (a missing or malformed secret stops start-up with a message naming
 * the variable) and makes sure our classes exist locked to the master key.
 */
import './node-compat';
import { getConfig } from './config';
import { registerMetricsFunction } from './functions/metrics';
import { registerUserSessionFunctions } from './functions/user-sessions';
import { registerCleanupJob } from './jobs/cleanup';
import { registerRotateKeysJob } from './jobs/rotate-keys';
import { log } from './log';
import { createOAuthServerStore, revokeUserGrants } from './oauth-server';
import { ensureSchema } from './schema/ensure';
import { createStorage } from './storage';
import { registerTriggers } from './triggers';

const config = getConfig();
registerTriggers();
registerCleanupJob();
registerRotateKeysJob();
registerMetricsFunction();
const storage = createStorage(config);
const oauthStore = createOAuthServerStore(config);
registerUserSessionFunctions(storage, (userId) =>
  revokeUserGrants({ config, storage, oauthStore, fetch, now: () => new Date() }, userId),
);
ensureSchema().catch(() => {
  /* logged in ensureSchema; /health stays 503 until it succeeds */
});
log.debug('cloud code loaded');
