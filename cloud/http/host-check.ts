/**
 * DNS-rebinding protection for /mcp (MCP transports spec, "Security Warning"): the Host header
 * must name this server (PUBLIC_URL's host, plus MCP_ALLOWED_HOSTS), and a browser Origin, when
 * sent, must be ours or listed in MCP_ALLOWED_ORIGINS.
 */
import type { Request } from 'express';
import { getConfig } from '../config';

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/**
 * Per public URL and configuration (read once per process; tests reset it): /mcp asks on every
 * request, and building the sets parses URLs.
 */
type Memo = { config: object; byUrl: Map<string, Set<string>> };
let hostsMemo: Memo | undefined;
let originsMemo: Memo | undefined;

function memoised(memo: Memo | undefined, publicUrl: string, build: (u: string) => Set<string>) {
  const config = getConfig();
  const m = memo?.config === config ? memo : { config, byUrl: new Map<string, Set<string>>() };
  let set = m.byUrl.get(publicUrl);
  if (!set) {
    set = build(publicUrl);
    m.byUrl.set(publicUrl, set);
  }
  return { memo: m, set };
}

export function allowedHosts(publicUrl: string): Set<string> {
  const { memo, set } = memoised(hostsMemo, publicUrl, buildAllowedHosts);
  hostsMemo = memo;
  return set;
}

export function allowedOrigins(publicUrl: string): Set<string> {
  const { memo, set } = memoised(originsMemo, publicUrl, buildAllowedOrigins);
  originsMemo = memo;
  return set;
}

function buildAllowedHosts(publicUrl: string): Set<string> {
  const url = new URL(publicUrl);
  const hosts = new Set<string>([url.host.toLowerCase()]);
  if (LOOPBACK.includes(url.hostname))
    for (const h of LOOPBACK) hosts.add(url.port ? `${h}:${url.port}` : h);
  for (const h of getConfig().mcpAllowedHosts) hosts.add(h);
  return hosts;
}

function buildAllowedOrigins(publicUrl: string): Set<string> {
  const url = new URL(publicUrl);
  const origins = new Set<string>([url.origin.toLowerCase()]);
  if (LOOPBACK.includes(url.hostname))
    for (const h of LOOPBACK) origins.add(`${url.protocol}//${h}${url.port ? `:${url.port}` : ''}`);
  for (const o of getConfig().mcpAllowedOrigins) origins.add(o);
  return origins;
}

/** An error message when the request fails the check, else undefined. */
export function checkHostAndOrigin(req: Request, publicUrl: string): string | undefined {
  const host = String(req.headers.host ?? '').toLowerCase();
  if (!allowedHosts(publicUrl).has(host))
    return `Host ${host || '(none)'} is not allowed for this server.`;
  const origin = req.headers.origin;
  if (origin !== undefined && !allowedOrigins(publicUrl).has(origin.toLowerCase()))
    return `Origin ${origin} is not allowed; set MCP_ALLOWED_ORIGINS to allow a browser client.`;
  return undefined;
}
