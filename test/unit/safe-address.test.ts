/**
 * The CIMD fetch's address filter against IANA's IPv4 and IPv6 Special-Purpose Address Registries
 * (and the IPv6 Address Space registry): one address from every special block is refused, in
 * every spelling an attacker could use (compressed, expanded, bracketed, with a zone, IPv4 written
 * inside IPv6), and ordinary public addresses pass.
 */
import { isPublicAddress } from '../../cloud/oauth-server/clients/safe-address';

const refusedV4: [string, string][] = [
  ['0.0.0.0', '"this network"'],
  ['0.1.2.3', '"this network"'],
  ['10.0.0.1', 'private'],
  ['100.64.0.1', 'shared (CGNAT)'],
  ['100.127.255.254', 'shared (CGNAT), top'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback, top'],
  ['169.254.169.254', 'link-local (cloud metadata)'],
  ['172.16.0.1', 'private'],
  ['172.31.255.254', 'private, top'],
  ['192.0.0.1', 'IETF protocol assignments'],
  ['192.0.0.9', 'PCP anycast'],
  ['192.0.0.170', 'NAT64 discovery'],
  ['192.0.2.1', 'TEST-NET-1'],
  ['192.31.196.1', 'AS112-v4'],
  ['192.52.193.1', 'AMT'],
  ['192.88.99.1', '6to4 relay anycast'],
  ['192.168.1.1', 'private'],
  ['192.175.48.1', 'AS112 direct delegation'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.254', 'benchmarking, top'],
  ['198.51.100.1', 'TEST-NET-2'],
  ['203.0.113.1', 'TEST-NET-3'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast (SSDP)'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'limited broadcast'],
];

const refusedV6: [string, string][] = [
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback, expanded'],
  ['[::1]', 'loopback, bracketed'],
  ['::7f00:1', 'IPv4-compatible 127.0.0.1 (::/96)'],
  ['[::7f00:1]', 'IPv4-compatible, bracketed'],
  ['::127.0.0.1', 'IPv4-compatible, dotted'],
  ['::a9fe:a9fe', 'IPv4-compatible 169.254.169.254'],
  ['::808:808', 'IPv4-compatible, even of a public IPv4 (deprecated form)'],
  ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
  ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
  ['0:0:0:0:0:ffff:a9fe:a9fe', 'IPv4-mapped link-local, expanded'],
  ['::ffff:10.0.0.1', 'IPv4-mapped private'],
  ['::ffff:0:8.8.8.8', 'IPv4-translated (SIIT)'],
  ['64:ff9b::7f00:1', 'NAT64 of loopback'],
  ['64:ff9b::8.8.8.8', 'NAT64 well-known prefix, even of a public IPv4'],
  ['64:ff9b:1::a00:1', 'NAT64 local-use'],
  ['100::1', 'discard-only'],
  ['100:0:0:1::1', 'dummy prefix'],
  ['2001::1', 'Teredo'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
  ['2001:2::1', 'benchmarking'],
  ['2001:3::1', 'AMT'],
  ['2001:4:112::1', 'AS112-v6'],
  ['2001:10::1', 'ORCHID'],
  ['2001:20::1', 'ORCHIDv2'],
  ['2001:30::1', 'drone remote ID'],
  ['2001:db8::1', 'documentation'],
  ['2002:7f00:1::1', '6to4 of loopback'],
  ['2002:808:808::1', '6to4, even of a public IPv4'],
  ['2620:4f:8000::1', 'AS112 direct delegation'],
  ['3fff::1', 'documentation (RFC 9637)'],
  ['5f00::1', 'SRv6 SIDs'],
  ['fc00::1', 'unique local'],
  ['fd12:3456::1', 'unique local'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local with a zone'],
  ['fec0::1', 'site-local (deprecated)'],
  ['ff02::1', 'multicast'],
  ['4000::1', 'unassigned (outside 2000::/3)'],
  ['e000::1', 'unassigned'],
];

describe('isPublicAddress', () => {
  it.each(refusedV4)('refuses %s (%s)', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(refusedV6)('refuses %s (%s)', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(['localhost', 'not-an-ip', '', '127.1', '2130706433', '0x7f000001', '1.2.3', '[::1'])(
    'refuses the non-address %p',
    (address) => {
      expect(isPublicAddress(address)).toBe(false);
    },
  );

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '9.255.255.255', // just below 10/8
    '11.0.0.0', // just above 10/8
    '100.63.255.255', // just below 100.64/10
    '100.128.0.0', // just above it
    '172.15.255.255',
    '172.32.0.0',
    '192.0.1.1',
    '198.17.255.255',
    '198.20.0.0',
    '223.255.255.255', // last before multicast
    '::ffff:8.8.8.8', // a dual-stack socket's view of 8.8.8.8
    '2606:4700:4700::1111',
    '2a00:1450:4001:82a::200e',
    '[2606:4700:4700::1111]',
    '2001:200::1', // just past 2001::/23
    '2003::1', // just past 6to4
    '2620:4f:8001::1', // just past the AS112 /48
  ])('accepts the public address %s', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});
