/**
 * Which IP addresses a server-side fetch of a client's metadata document may reach: public
 * unicast only. Everything special-purpose is refused (IANA IPv4/IPv6 Special-Purpose Address
 * Registries, RFC 6890): loopback, private (RFC 1918, RFC 4193), link-local (cloud metadata
 * endpoints live at 169.254.169.254), shared/CGNAT (RFC 6598), documentation, benchmarking,
 * multicast, reserved, and IPv6 transition prefixes that embed an IPv4 address (6to4, NAT64,
 * Teredo). IPv4-mapped IPv6 addresses are checked as the IPv4 address they carry (Node's
 * BlockList does that itself).
 */
import { BlockList, isIP } from 'node:net';

const blocked = new BlockList();
const V4: [string, number][] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (CGNAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];
const V6: [string, number][] = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard-only
  ['2001::', 23], // IETF protocol assignments (Teredo 2001::/32 included)
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];
for (const [net, prefix] of V4) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of V6) blocked.addSubnet(net, prefix, 'ipv6');

/** True for a public unicast IP address; false for anything else, including non-addresses. */
export function isPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 4) return !blocked.check(bare, 'ipv4');
  if (family === 6) return !blocked.check(bare, 'ipv6');
  return false;
}
