/** Everything a handler needs: state, clock, tunables, counters, faults and the rate limiter. */
import type { FakeClock } from './clock';
import type { FakeConfig } from './config';
import type { Store } from './state/store';
import type { FaultInjector } from './traffic/faults';
import type { RateLimiter } from './traffic/rate-limiter';
import type { Stats } from './traffic/stats';

export interface FakeContext {
  /** Replaced by reset: always read `ctx.store`, never keep a reference. */
  store: Store;
  clock: FakeClock;
  config: FakeConfig;
  stats: Stats;
  faults: FaultInjector;
  rateLimiter: RateLimiter;
  /** The client id the fake was started with (admin calls default to it). */
  defaultClientId: string;
  /** The URL the fake is reachable at. */
  url: string;
  sandbox: boolean;
}
