import { isIP } from 'node:net';

/** Why the SSRF guard refuses an address. */
export type ForbiddenAddressReason =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'sharedAddressSpace'
  | 'linkLocal'
  | 'metadata'
  | 'multicast'
  | 'reserved';

interface Ipv4Rule {
  readonly base: number;
  readonly bits: number;
  readonly reason: ForbiddenAddressReason;
}

// Order matters: the metadata address sits inside the link-local block and is named first.
const ipv4Rules: readonly Ipv4Rule[] = [
  { base: ipv4Number(0, 0, 0, 0), bits: 8, reason: 'unspecified' },
  { base: ipv4Number(10, 0, 0, 0), bits: 8, reason: 'private' },
  // Carrier-grade NAT (RFC 6598); cloud providers put metadata services here too (100.100.100.200).
  { base: ipv4Number(100, 64, 0, 0), bits: 10, reason: 'sharedAddressSpace' },
  { base: ipv4Number(127, 0, 0, 0), bits: 8, reason: 'loopback' },
  { base: ipv4Number(169, 254, 169, 254), bits: 32, reason: 'metadata' },
  { base: ipv4Number(169, 254, 0, 0), bits: 16, reason: 'linkLocal' },
  { base: ipv4Number(172, 16, 0, 0), bits: 12, reason: 'private' },
  { base: ipv4Number(192, 0, 0, 0), bits: 24, reason: 'reserved' },
  { base: ipv4Number(192, 168, 0, 0), bits: 16, reason: 'private' },
  { base: ipv4Number(198, 18, 0, 0), bits: 15, reason: 'reserved' },
  { base: ipv4Number(224, 0, 0, 0), bits: 4, reason: 'multicast' },
  { base: ipv4Number(240, 0, 0, 0), bits: 4, reason: 'reserved' },
];

/**
 * Why an IP address must not be reached with the SSRF guard on, or null when it may be: loopback,
 * private (10/8, 172.16/12, 192.168/16, fc00::/7), shared (100.64/10), link-local (169.254/16,
 * fe80::/10), the cloud metadata addresses (169.254.169.254, fd00:ec2::254), multicast, reserved
 * and unspecified addresses. IPv6 forms that carry an IPv4 address (mapped `::ffff:a.b.c.d`,
 * compatible `::a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are judged by that address.
 * Anything that is not an IP address is refused as `reserved`: the guard never lets through what
 * it cannot read.
 *
 * @example
 * ```ts
 * forbiddenAddressReason('169.254.169.254'); // 'metadata'
 * forbiddenAddressReason('::ffff:127.0.0.1'); // 'loopback'
 * forbiddenAddressReason('93.184.215.14'); // null
 * ```
 */
export function forbiddenAddressReason(address: string): ForbiddenAddressReason | null {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const unzoned = bare.split('%')[0] ?? bare;
  const family = isIP(unzoned);
  if (family === 4) return ipv4Reason(parseIpv4(unzoned));
  if (family === 6) return ipv6Reason(parseIpv6(unzoned));
  return 'reserved';
}

function ipv4Reason(value: number): ForbiddenAddressReason | null {
  for (const rule of ipv4Rules) {
    if (value >>> (32 - rule.bits) === rule.base >>> (32 - rule.bits)) return rule.reason;
  }
  return null;
}

function ipv6Reason(bytes: readonly number[]): ForbiddenAddressReason | null {
  const word = (index: number): number => ((bytes[index * 2] ?? 0) << 8) | (bytes[index * 2 + 1] ?? 0);
  const zeroWords = (from: number, to: number): boolean => {
    for (let index = from; index < to; index += 1) if (word(index) !== 0) return false;
    return true;
  };
  const embedded = (offset: number): number =>
    (((bytes[offset] ?? 0) << 24) | ((bytes[offset + 1] ?? 0) << 16) | ((bytes[offset + 2] ?? 0) << 8) | (bytes[offset + 3] ?? 0)) >>> 0;

  if (zeroWords(0, 8)) return 'unspecified';
  if (zeroWords(0, 7) && word(7) === 1) return 'loopback';
  // IPv4-mapped (::ffff:0:0/96) and the deprecated IPv4-compatible form (::/96).
  if (zeroWords(0, 5) && (word(5) === 0xffff || word(5) === 0)) return ipv4Reason(embedded(12));
  // NAT64 (64:ff9b::/96) reaches the embedded IPv4 address through a translator.
  if (word(0) === 0x64 && word(1) === 0xff9b && zeroWords(2, 6)) return ipv4Reason(embedded(12));
  if (word(0) === 0x2002) return ipv4Reason(embedded(2));
  // AWS's IPv6 metadata endpoint.
  if (word(0) === 0xfd00 && word(1) === 0x0ec2 && zeroWords(2, 7) && word(7) === 0x254) return 'metadata';
  const first = word(0);
  if ((first & 0xfe00) === 0xfc00) return 'private';
  if ((first & 0xffc0) === 0xfe80) return 'linkLocal';
  // Site-local (fec0::/10) is deprecated but still routed inside some networks.
  if ((first & 0xffc0) === 0xfec0) return 'private';
  if ((first & 0xff00) === 0xff00) return 'multicast';
  return null;
}

function ipv4Number(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

function parseIpv4(text: string): number {
  const [a = 0, b = 0, c = 0, d = 0] = text.split('.').map(Number);
  return ipv4Number(a, b, c, d);
}

/** Sixteen bytes of an address `isIP` already accepted as IPv6. */
function parseIpv6(text: string): number[] {
  const words = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [Number.parseInt(group, 16)];
          const value = parseIpv4(group);
          return [value >>> 16, value & 0xffff];
        });
  const gap = text.indexOf('::');
  const left = words(gap === -1 ? text : text.slice(0, gap));
  const right = gap === -1 ? [] : words(text.slice(gap + 2));
  const all = [...left, ...new Array<number>(Math.max(0, 8 - left.length - right.length)).fill(0), ...right];
  return all.flatMap((value) => [(value >>> 8) & 0xff, value & 0xff]);
}
