/**
 * What route handlers need, built once per bundle load and passed explicitly (factories taking an
 * options object, style.md habit 7), so tests can build the same handlers with other parts.
 */
import type { Config } from './config';
import type { Storage } from './storage/base';

export interface AppDeps {
  config: Config;
  storage: Storage;
  /** Injected so tests and the sandbox can swap it; Airtable is only ever reached through it. */
  fetch: typeof fetch;
  now: () => Date;
}
