/**
 * Turns anything a tool throws into an `isError: true` result the model can act on: Airtable's
 * status, type and message plus how to fix it (the hint is rebuilt here with this user's scopes
 * and reconnect link). Unknown errors are logged and answered without detail: no stack, no token.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { AirtableApiError, airtableErrorHint } from '../airtable/api-errors';
import { HttpError } from '../http/errors';
import { log } from '../log';
import { CredentialUnreadableError, StorageUnavailableError } from '../storage/base';
import type { ToolContext } from './tool-context';

/** A problem with the call itself that Airtable never saw (unknown table name, missing id, ...). */
export class ToolInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolInputError';
  }
}

/** A write split into batches failed part-way: says what was done before the failure. */
export class PartialWriteError extends Error {
  constructor(
    override readonly cause: unknown,
    /** e.g. "20 of 25 records were created (ids: ...)". */
    readonly progress: string,
  ) {
    super(progress);
    this.name = 'PartialWriteError';
  }
}

/**
 * The client-safe explanation of a known error (Airtable's answer with its fix, a bad input, a
 * storage or sign-in problem), or undefined for anything unexpected. Resources use it too.
 */
export function errorText(err: unknown, ctx: ToolContext): string | undefined {
  if (err instanceof AirtableApiError) {
    const hint = airtableErrorHint(err, {
      isPat: ctx.user.kind === 'pat',
      grantedScopes: ctx.user.scopes,
      reconnectUrl: ctx.links.reconnectUrl,
    });
    const head =
      err.status > 0
        ? `Airtable error ${err.status} ${err.type}: ${err.airtableMessage}`
        : `Airtable request failed (${err.type}): ${err.airtableMessage}`;
    return hint ? `${head}\nHow to fix: ${hint}.` : head;
  }
  if (err instanceof ToolInputError) return err.message;
  if (err instanceof CredentialUnreadableError) {
    return `${err.message} Reconnect at ${ctx.links.reconnectUrl}`;
  }
  if (err instanceof StorageUnavailableError) return err.message;
  // The sign-in layer's errors (reconnect required, Airtable unavailable while refreshing) carry
  // client-safe messages by construction (cloud/auth/errors.ts).
  if (err instanceof HttpError) return err.message;
  if (err instanceof Error && err.name === 'AbortError') return 'The request was cancelled.';
  return undefined;
}

export function toolErrorResult(tool: string, err: unknown, ctx: ToolContext): CallToolResult {
  let text: string | undefined;
  if (err instanceof PartialWriteError) {
    const cause = errorText(err.cause, ctx) ?? unexpected(tool, err.cause);
    text = `${cause}\n${err.progress}`;
  } else {
    text = errorText(err, ctx) ?? unexpected(tool, err);
  }
  return { isError: true, content: [{ type: 'text', text }] };
}

export function unexpected(tool: string, err: unknown): string {
  log.error(
    { tool, errName: err instanceof Error ? err.name : typeof err, errMessage: String(err) },
    'tool failed unexpectedly',
  );
  return `Internal error in ${tool}; it has been logged. Try again, or report it if it persists.`;
}
