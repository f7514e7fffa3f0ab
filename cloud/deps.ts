/**
 * What route handlers need, built once per bundle load and passed explicitly (factories taking an
 * options object, style.md habit 7), so tests can build the same handlers with other parts.
 */
import type { AirtableSend } from './airtable/http-sender';
import type { Config } from './config';
import type { Storage } from './storage/base';

export interface AppDeps {
  config: Config;
  storage: Storage;
  /**
   * Airtable is only ever reached through these two, injected so tests can swap them: `fetch`
   * for sign-in (OAuth token endpoint, whoami), `airtableSend` for the Web API calls of tools.
   */
  fetch: typeof fetch;
  airtableSend: AirtableSend;
  now: () => Date;
}
