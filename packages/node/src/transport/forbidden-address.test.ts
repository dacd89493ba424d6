import { describe, expect, it } from 'vitest';
import { forbiddenAddressReason, type ForbiddenAddressReason } from './forbidden-address.js';

const rows: readonly (readonly [string, ForbiddenAddressReason | null])[] = [
  ['0.0.0.0', 'unspecified'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['10.1.2.3', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['172.32.0.1', null],
  ['192.168.1.1', 'private'],
  ['100.64.0.1', 'sharedAddressSpace'],
  ['100.100.100.200', 'sharedAddressSpace'],
  ['169.254.169.254', 'metadata'],
  ['169.254.1.1', 'linkLocal'],
  ['224.0.0.1', 'multicast'],
  ['255.255.255.255', 'reserved'],
  ['8.8.8.8', null],
  ['93.184.215.14', null],
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['[::1]', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:169.254.169.254', 'metadata'],
  ['::ffff:8.8.8.8', null],
  ['::127.0.0.1', 'loopback'],
  ['64:ff9b::10.0.0.1', 'private'],
  ['2002:c0a8:0101::1', 'private'],
  ['fc00::1', 'private'],
  ['fd12:3456::1', 'private'],
  ['fd00:ec2::254', 'metadata'],
  ['fe80::1', 'linkLocal'],
  ['fe80::1%eth0', 'linkLocal'],
  ['ff02::1', 'multicast'],
  ['2606:4700:4700::1111', null],
  ['2001:db8::1', null],
  ['example.com', 'reserved'],
  ['', 'reserved'],
];

describe('forbiddenAddressReason', () => {
  it.each(rows)('%s -> %s', (address, reason) => {
    expect(forbiddenAddressReason(address)).toBe(reason);
  });
});
