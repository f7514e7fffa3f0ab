/**
 * Errors of the sign-in layer that reach HTTP clients. Messages are client-safe: they say what
 * happened and how to fix it, and never carry a token.
 */
import { HttpError } from '../http/errors';

/** The stored Airtable credential is missing, dead or unreadable: the person must connect again. */
export class ReconnectRequiredError extends HttpError {
  constructor(reason: string, reconnectUrl: string) {
    super(
      401,
      'reconnect_required',
      `${reason} Please reconnect: ${reconnectUrl}`,
      {},
      {
        reconnect_url: reconnectUrl,
      },
    );
    this.name = 'ReconnectRequiredError';
  }
}

/** Airtable could not be reached or failed; the stored token is kept (502 to the client). */
export class UpstreamUnavailableError extends HttpError {
  constructor(message: string) {
    super(502, 'airtable_unavailable', message);
    this.name = 'UpstreamUnavailableError';
  }
}
