/**
 * Where upload_attachment sends files and how it fetches a URL it was given. The request's
 * ToolContext may carry these (tests inject them); otherwise they come from the process
 * configuration: AIRTABLE_CONTENT_BASE_URL and ATTACHMENT_FETCH_ALLOW_PRIVATE (cloud/config.ts).
 * Remote files are fetched with the shared SSRF-safe fetcher (cloud/http/safe-fetch.ts): https,
 * public addresses only (checked at connect time, redirects included), at most 3 redirects,
 * 10 s, and no more bytes than Airtable takes (5 MB).
 */
import { MAX_UPLOAD_BYTES } from '../airtable/api-attachments';
import { getConfig, type Config } from '../config';
import { safeGet } from '../http/safe-fetch';

export interface RemoteFile {
  bytes: Buffer;
  /** From Content-Type, without parameters; undefined when missing or malformed. */
  contentType?: string;
  /** From Content-Disposition, else the last path segment; undefined when neither says. */
  filename?: string;
}

export type RemoteFileFetcher = (url: string, signal: AbortSignal) => Promise<RemoteFile>;

export interface AttachmentSettings {
  /** AIRTABLE_CONTENT_BASE_URL, e.g. https://content.airtable.com */
  contentBaseUrl: string;
  fetchRemoteFile: RemoteFileFetcher;
}

export const REMOTE_FETCH_TIMEOUT_MS = 10_000;
export const REMOTE_FETCH_MAX_REDIRECTS = 3;

const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/i;

/** `type/subtype` of a Content-Type header, or undefined when it is not one. */
export function mediaTypeOf(header: string | undefined): string | undefined {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  return type && MEDIA_TYPE.test(type) ? type : undefined;
}

/** A file name from Content-Disposition (RFC 6266: filename* first) or the URL's last segment. */
export function filenameOf(disposition: string | undefined, url: URL): string | undefined {
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition ?? '');
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition ?? '');
  let name: string | undefined;
  try {
    name = star ? decodeURIComponent(star[1]!.trim()) : plain?.[1]?.trim();
  } catch {
    name = plain?.[1]?.trim();
  }
  if (!name) {
    const last = url.pathname.split('/').pop() ?? '';
    try {
      name = decodeURIComponent(last);
    } catch {
      name = last;
    }
  }
  // Keep a plain base name: no directories, no control characters.
  const clean = (name ?? '')
    .replace(/[\\/]/g, '_')
    .replace(/\p{Cc}/gu, '')
    .trim();
  return clean === '' ? undefined : clean.slice(0, 255);
}

export function safeFileFetcher(allowPrivate: boolean): RemoteFileFetcher {
  return async (url, signal) => {
    const res = await safeGet(url, {
      timeoutMs: REMOTE_FETCH_TIMEOUT_MS,
      maxBytes: MAX_UPLOAD_BYTES,
      maxRedirects: REMOTE_FETCH_MAX_REDIRECTS,
      accept: '*/*',
      userAgent: 'airtable-mcp-attachments/1',
      allowPrivate,
      signal,
    });
    const contentType = mediaTypeOf(res.contentType);
    const filename = filenameOf(res.contentDisposition, res.url);
    return {
      bytes: res.body,
      ...(contentType ? { contentType } : {}),
      ...(filename ? { filename } : {}),
    };
  };
}

const fromConfig = new WeakMap<Config, AttachmentSettings>();

/** The settings this request uses: the context's own, or the process configuration's. */
export function attachmentSettings(own: AttachmentSettings | undefined): AttachmentSettings {
  if (own) return own;
  const config = getConfig();
  let settings = fromConfig.get(config);
  if (!settings) {
    settings = {
      contentBaseUrl: config.airtable.contentBaseUrl,
      fetchRemoteFile: safeFileFetcher(config.attachmentFetchAllowPrivate),
    };
    fromConfig.set(config, settings);
  }
  return settings;
}
