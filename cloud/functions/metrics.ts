/**
 * Operator cloud function `metrics` (master key only; Back4App dashboard -> API console): the
 * counters of the process that answers (cloud/observability/metrics.ts). They are shared with the
 * web routes of the same process through a global registry, so this sees Airtable calls, 429s,
 * refreshes and auth failures counted by app.js too.
 */
import { metricsSnapshot } from '../observability/metrics';
import { getParse } from '../parse-runtime';

export function registerMetricsFunction(): void {
  getParse().Cloud.define('metrics', () => metricsSnapshot(), { requireMaster: true });
}
