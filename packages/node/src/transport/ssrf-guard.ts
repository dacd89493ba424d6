import type { LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { BgSessionError } from '@bgsession/core';
import { forbiddenAddressReason, type ForbiddenAddressReason } from './forbidden-address.js';

const reasonText: Readonly<Record<ForbiddenAddressReason, string>> = {
  unspecified: 'an unspecified',
  loopback: 'a loopback',
  private: 'a private',
  sharedAddressSpace: 'a shared (carrier-grade NAT)',
  linkLocal: 'a link-local',
  metadata: 'a cloud metadata',
  multicast: 'a multicast',
  reserved: 'a reserved',
};

/**
 * The error of a connection the SSRF guard refused. `PermissionDenied`, not `ConnectionFailed`:
 * the refusal is the session's policy, final, and retrying it could only waste attempts until the
 * resource timeout.
 */
export function ssrfRefusal(host: string, address: string, reason: ForbiddenAddressReason): BgSessionError {
  const target = host === address ? address : `${host} (${address})`;
  return new BgSessionError(
    'PermissionDenied',
    `The SSRF guard refused to connect to ${target}: ${reasonText[reason]} address.`,
    { field: 'url', bodyMayHaveBeenSent: false },
  );
}

/**
 * Checks a URL's host before anything is dispatched: an IP literal (which `net.connect` reaches
 * without any lookup, so the guarded lookup never sees it) and the `localhost` names (RFC 6761,
 * and a proxy would resolve them to itself). Null when the host may be tried.
 */
export function refuseForbiddenHost(hostname: string): BgSessionError | null {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  const name = bare.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return ssrfRefusal(hostname, name, 'loopback');
  if (isIP(bare.split('%')[0] ?? bare) === 0) return null;
  const reason = forbiddenAddressReason(bare);
  return reason === null ? null : ssrfRefusal(hostname, bare, reason);
}

/**
 * Wraps a DNS lookup so that a name resolving to any forbidden address fails the connection with
 * the SSRF guard's `PermissionDenied`. Checked at connect time, on the addresses the socket is
 * about to use, so a name that resolved to a public address earlier and to a private one now (DNS
 * rebinding) is refused too. One forbidden address among several refuses the name: the socket may
 * try any of them.
 */
export function guardLookup(lookup: LookupFunction): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, options, (error, address, family) => {
      if (error !== null) {
        callback(error, address, family);
        return;
      }
      const addresses: readonly (string | LookupAddress)[] = Array.isArray(address) ? address : [address];
      for (const entry of addresses) {
        const text = typeof entry === 'string' ? entry : entry.address;
        const reason = forbiddenAddressReason(text);
        if (reason !== null) {
          callback(ssrfRefusal(hostname, text, reason), address, family);
          return;
        }
      }
      callback(null, address, family);
    });
  };
}
