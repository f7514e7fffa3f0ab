/**
 * The request a piece of code runs for, carried through awaits by AsyncLocalStorage so that log
 * lines deep in the Airtable client or the storage layer carry the HTTP request's id without every
 * function taking a logger. Imports nothing of ours: cloud/log.ts reads it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestScope {
  /** Echoed in the X-Request-Id response header; sane incoming ids are kept (request-context.ts). */
  requestId: string;
}

export const requestStore = new AsyncLocalStorage<RequestScope>();

/** The current HTTP request's id, or undefined outside a request (jobs, start-up). */
export function currentRequestId(): string | undefined {
  return requestStore.getStore()?.requestId;
}
