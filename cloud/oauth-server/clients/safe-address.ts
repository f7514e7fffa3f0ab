/**
 * Which IP addresses a server-side fetch of a client's metadata document may reach: public
 * unicast only (an SSRF guard: cloud metadata endpoints, the database, the parse-server next door).
 *
 * Reviewed against IANA's IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890; registry
 * state of 2025) and the IPv6 Address Space registry:
 * - IPv4: every special-purpose block is refused, including the globally reachable anycast
 *   services (AS112, AMT, PCP/TURN anycast): none of them serves a metadata document.
 * - IPv6: only global unicast (2000::/3) can be public; everything else in the address space is
 *   reserved, local, link-local, multicast or unassigned. That refuses ::/96 (IPv4-compatible,
 *   deprecated by RFC 4291 2.5.5.1: `[::7f00:1]` is 127.0.0.1 to some stacks), 64:ff9b::/96 and
 *   64:ff9b:1::/48 (NAT64, RFC 6052 / RFC 8215), 100::/64 (discard), fc00::/7, fe80::/10 and
 *   ff00::/8 without a list. Inside 2000::/3 the special-purpose blocks are refused too, among them
 *   the transition prefixes that embed an IPv4 address a relay would reach for us: 6to4
 *   (2002::/16, RFC 3056) and Teredo (2001::/32, RFC 4380) - whatever IPv4 address they carry.
 * - IPv4-mapped addresses (::ffff:0:0/96, RFC 4291 2.5.5.2) are what a dual-stack socket shows for
 *   an IPv4 peer: they are judged as the IPv4 address they carry.
 * Parsed here byte by byte (not with net.BlockList, whose handling of mapped and compatible forms
 * differs between Node versions - the deployed bundle targets Node 18).
 */
import { isIP } from 'node:net';

type Bytes = number[];

/** [network, prefix length, IANA name] */
const V4_SPECIAL: [string, number, string][] = [
  ['0.0.0.0', 8, '"This network" (RFC 791)'],
  ['10.0.0.0', 8, 'Private-Use (RFC 1918)'],
  ['100.64.0.0', 10, 'Shared Address Space (RFC 6598)'],
  ['127.0.0.0', 8, 'Loopback (RFC 1122)'],
  ['169.254.0.0', 16, 'Link Local (RFC 3927): cloud metadata endpoints'],
  ['172.16.0.0', 12, 'Private-Use (RFC 1918)'],
  [
    '192.0.0.0',
    24,
    'IETF Protocol Assignments (RFC 6890), incl. PCP/TURN anycast, NAT64 discovery',
  ],
  ['192.0.2.0', 24, 'Documentation TEST-NET-1 (RFC 5737)'],
  ['192.31.196.0', 24, 'AS112-v4 (RFC 7535)'],
  ['192.52.193.0', 24, 'AMT (RFC 7450)'],
  ['192.88.99.0', 24, 'Deprecated 6to4 Relay Anycast (RFC 7526)'],
  ['192.168.0.0', 16, 'Private-Use (RFC 1918)'],
  ['192.175.48.0', 24, 'Direct Delegation AS112 Service (RFC 7534)'],
  ['198.18.0.0', 15, 'Benchmarking (RFC 2544)'],
  ['198.51.100.0', 24, 'Documentation TEST-NET-2 (RFC 5737)'],
  ['203.0.113.0', 24, 'Documentation TEST-NET-3 (RFC 5737)'],
  ['224.0.0.0', 4, 'Multicast (RFC 5771)'],
  ['240.0.0.0', 4, 'Reserved (RFC 1112), incl. Limited Broadcast 255.255.255.255'],
];

/** Special-purpose blocks inside global unicast 2000::/3 (the rest of ::/0 is refused anyway). */
const V6_SPECIAL_IN_GLOBAL: [string, number, string][] = [
  [
    '2001::',
    23,
    'IETF Protocol Assignments (RFC 2928): Teredo 2001::/32, benchmarking, ORCHID, AMT, ...',
  ],
  ['2001:db8::', 32, 'Documentation (RFC 3849)'],
  ['2002::', 16, '6to4 (RFC 3056): embeds an IPv4 address a relay reaches'],
  ['2620:4f:8000::', 48, 'Direct Delegation AS112 Service (RFC 7534)'],
  ['3fff::', 20, 'Documentation (RFC 9637)'],
];

function parseV4(text: string): Bytes {
  return text.split('.').map(Number);
}

/** 16 bytes of a valid IPv6 text (isIP said so): `::` expanded, a trailing dotted quad included. */
function parseV6(text: string): Bytes {
  let groups: string[];
  let tail: Bytes = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  const head = dotted ? text.slice(0, -dotted[1]!.length) : text;
  if (dotted) tail = parseV4(dotted[1]!);
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const split = (s: string | undefined) => (s ? s.split(':').filter((g) => g !== '') : []);
  const want = 8 - tail.length / 2;
  if (right === undefined) groups = split(left);
  else {
    const l = split(left);
    const r = split(right);
    groups = [...l, ...Array<string>(want - l.length - r.length).fill('0'), ...r];
  }
  const bytes: Bytes = [];
  for (const g of groups) {
    const v = parseInt(g, 16);
    bytes.push(v >> 8, v & 0xff);
  }
  return [...bytes, ...tail];
}

function inBlock(addr: Bytes, network: Bytes, prefix: number): boolean {
  for (let bit = 0; bit < prefix; bit += 8) {
    const take = Math.min(8, prefix - bit);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((addr[bit / 8]! ^ network[bit / 8]!) & mask) !== 0) return false;
  }
  return true;
}

const v4Blocks = V4_SPECIAL.map(([net, prefix]) => ({ net: parseV4(net), prefix }));
const v6Blocks = V6_SPECIAL_IN_GLOBAL.map(([net, prefix]) => ({ net: parseV6(net), prefix }));
const GLOBAL_UNICAST = { net: parseV6('2000::'), prefix: 3 };
const V4_MAPPED = { net: parseV6('::ffff:0:0'), prefix: 96 };

function isPublicV4(bytes: Bytes): boolean {
  return !v4Blocks.some((b) => inBlock(bytes, b.net, b.prefix));
}

function isPublicV6(bytes: Bytes): boolean {
  if (inBlock(bytes, V4_MAPPED.net, V4_MAPPED.prefix)) return isPublicV4(bytes.slice(12));
  if (!inBlock(bytes, GLOBAL_UNICAST.net, GLOBAL_UNICAST.prefix)) return false;
  return !v6Blocks.some((b) => inBlock(bytes, b.net, b.prefix));
}

/** True for a public unicast IP address; false for anything else, including non-addresses. */
export function isPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 4) return isPublicV4(parseV4(bare));
  if (family === 6) return isPublicV6(parseV6(bare));
  return false;
}
