/** Loopback host names (RFC 8252 section 8.3, RFC 6761 section 6.3). */
export const LOOPBACK_HOSTNAMES = ['localhost', '127.0.0.1', '[::1]'] as const;

/** `hostname` as URL.hostname gives it (IPv6 in brackets). */
export function isLoopbackHost(hostname: string): boolean {
  return (LOOPBACK_HOSTNAMES as readonly string[]).includes(hostname.toLowerCase());
}
