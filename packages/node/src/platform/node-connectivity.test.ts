import type { NetworkInterfaceInfo } from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { NetworkState } from '@bgsession/core';
import { createNodeConnectivity } from './node-connectivity.js';

const loopback: NetworkInterfaceInfo = { address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' };
const ethernet: NetworkInterfaceInfo = { address: '192.0.2.2', netmask: '255.255.255.0', family: 'IPv4', mac: '02:fc:00:00:00:01', internal: false, cidr: '192.0.2.2/24' };
const linkLocal: NetworkInterfaceInfo = { address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:fc:00:00:00:01', internal: false, cidr: 'fe80::1/64', scopeid: 4 };

describe('createNodeConnectivity', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function withInterfaces(initial: NodeJS.Dict<NetworkInterfaceInfo[]>) {
    let interfaces = initial;
    const connectivity = createNodeConnectivity({ interfaces: () => interfaces });
    const seen: NetworkState[] = [];
    connectivity.subscribe((state) => seen.push(state));
    return { connectivity, seen, set: (next: NodeJS.Dict<NetworkInterfaceInfo[]>) => (interfaces = next) };
  }

  it('is online only with a non-internal, non-link-local address', () => {
    expect(withInterfaces({ lo: [loopback] }).connectivity.current().online).toBe(false);
    expect(withInterfaces({ lo: [loopback], eth0: [linkLocal] }).connectivity.current().online).toBe(false);
    expect(withInterfaces({ lo: [loopback], eth0: [linkLocal, ethernet] }).connectivity.current()).toEqual({ online: true, expensive: false, constrained: false });
  });

  it('notices the network going away at the next poll, and tells subscribers once', () => {
    vi.useFakeTimers();
    const { connectivity, seen, set } = withInterfaces({ lo: [loopback], eth0: [ethernet] });
    set({ lo: [loopback] });
    vi.advanceTimersByTime(4999);
    expect(seen).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual([{ online: false, expensive: false, constrained: false }]);
    vi.advanceTimersByTime(20_000);
    expect(seen).toHaveLength(1);
    connectivity.close();
  });

  it('re-checks on demand with check()', () => {
    const { connectivity, seen, set } = withInterfaces({ lo: [loopback] });
    set({ eth0: [ethernet] });
    expect(connectivity.check().online).toBe(true);
    expect(seen).toEqual([{ online: true, expensive: false, constrained: false }]);
    connectivity.close();
  });

  it('takes metered, low-data and forced online from the app, and null gives online back to the OS', () => {
    const { connectivity, seen } = withInterfaces({ eth0: [ethernet] });
    connectivity.setExpensive(true);
    connectivity.setExpensive(true);
    connectivity.setConstrained(true);
    connectivity.setOnline(false);
    connectivity.setOnline(null);
    expect(seen).toEqual([
      { online: true, expensive: true, constrained: false },
      { online: true, expensive: true, constrained: true },
      { online: false, expensive: true, constrained: true },
      { online: true, expensive: true, constrained: true },
    ]);
    connectivity.close();
  });

  it('stops calling a subscriber that unsubscribed, and everyone after close()', () => {
    const { connectivity, seen } = withInterfaces({ eth0: [ethernet] });
    const other: NetworkState[] = [];
    const unsubscribe = connectivity.subscribe((state) => other.push(state));
    unsubscribe();
    connectivity.setExpensive(true);
    expect(other).toEqual([]);
    connectivity.close();
    connectivity.setExpensive(false);
    expect(seen).toHaveLength(1);
  });

  it('keeps notifying the others when one subscriber throws', () => {
    const { connectivity, seen } = withInterfaces({ eth0: [ethernet] });
    connectivity.subscribe(() => {
      throw new Error('boom');
    });
    connectivity.setConstrained(true);
    expect(seen).toHaveLength(1);
    connectivity.close();
  });

  it('refuses bad options with InvalidConfiguration naming the field', () => {
    expect(() => createNodeConnectivity({ pollInterval: 0 })).toThrow(expect.objectContaining({ code: 'InvalidConfiguration', field: 'pollInterval' }));
    const connectivity = createNodeConnectivity();
    expect(() => connectivity.setExpensive('yes' as unknown as boolean)).toThrow(expect.objectContaining({ code: 'InvalidConfiguration', field: 'expensive' }));
    connectivity.close();
  });
});
