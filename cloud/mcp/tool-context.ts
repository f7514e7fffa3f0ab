/**
 * What every tool call can use: the Airtable client built for this request from this user's
 * stored credential, who the user is, and the links that error hints point to.
 */
import type { AirtableApi } from '../airtable/api-client';
import type { AttachmentSettings } from './attachment-source';

export interface ToolContext {
  airtable: AirtableApi;
  user: {
    /** Airtable user id (usr...). */
    userId: string;
    /** chatgpt | claude | cursor | inspector | other. */
    platform: string;
    kind: 'oauth' | 'pat';
    /** Airtable scopes granted (OAuth); empty when unknown (PATs). */
    scopes: string[];
    sessionExpiresAt: Date;
  };
  links: {
    /** Where the user signs in to Airtable again (shown in 401/403 hints). */
    reconnectUrl: string;
  };
  /**
   * upload_attachment's content host and URL fetcher; when absent, taken from the process
   * configuration (attachment-source.ts). Tests inject their own.
   */
  attachments?: AttachmentSettings;
  /** Per-connection limits; absent values use the process settings (cloud/mcp/result-size.ts). */
  limits?: {
    /** Largest tool result, in characters of JSON. */
    maxResultChars?: number;
  };
}
