/**
 * When a webhook lives (airtable.com/developers/web/api/create-a-webhook): a webhook made with an
 * OAuth or personal access token expires and is disabled 7 days after creation, refresh or the
 * last list-payloads call; after that its metadata and payloads stay readable for another 7 days,
 * then it is gone. Payloads are deleted after 1 week whether or not they were read; the cursor
 * never goes back (list-webhook-payloads).
 */
import type { FakeContext } from '../context';
import type { Webhook } from '../state/model';

export const WEBHOOK_LIFETIME_MS = 7 * 24 * 3600 * 1000;
/** How long a disabled webhook can still be read. */
export const WEBHOOK_AFTERLIFE_MS = 7 * 24 * 3600 * 1000;
export const PAYLOAD_RETENTION_MS = 7 * 24 * 3600 * 1000;
/** create-a-webhook: "The number of webhooks per base is limited to 10." */
export const MAX_WEBHOOKS_PER_BASE = 10;
/** create-a-webhook: "A single OAuth integration can create up to 2 webhooks per base." */
export const MAX_WEBHOOKS_PER_INTEGRATION_IN_BASE = 2;

export function isEnabled(hook: Webhook, now: number): boolean {
  return now < hook.expirationTime;
}

/** Drops webhooks past their afterlife and payloads past retention; call before any read. */
export function sweepWebhooks(ctx: FakeContext): void {
  const now = ctx.clock.now();
  for (const [id, hook] of ctx.store.webhooks) {
    if (now >= hook.expirationTime + WEBHOOK_AFTERLIFE_MS) {
      ctx.store.webhooks.delete(id);
      continue;
    }
    hook.payloads = hook.payloads.filter((p) => now - p.createdAt < PAYLOAD_RETENTION_MS);
  }
}
