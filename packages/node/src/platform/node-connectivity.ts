import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { BgSessionError, type Connectivity, type NetworkState } from '@bgsession/core';

/** Options of {@link createNodeConnectivity}. */
export interface NodeConnectivityOptions {
  /** How often the interfaces are read again, ms (default 5000). The timer never keeps the process alive. */
  readonly pollInterval?: number;
  /** Start with the network metered (default false). */
  readonly expensive?: boolean;
  /** Start in low-data mode (default false). */
  readonly constrained?: boolean;
  /** Start with `online` forced (true or false) instead of read from the interfaces (default null). */
  readonly online?: boolean | null;
  /** Reads the interfaces (default `os.networkInterfaces`); tests inject one. */
  readonly interfaces?: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
}

/** The {@link Connectivity} of Node, with the switches only the app can set. */
export interface NodeConnectivity extends Connectivity {
  /** Reads the interfaces now (instead of at the next poll), notifies on a change, and returns the state. */
  check(): NetworkState;
  /** Says the network is metered (cellular, a hotspot): tasks with `allowsExpensiveNetwork: false` wait. */
  setExpensive(expensive: boolean): void;
  /** Says the network is in low-data mode: tasks with `allowsConstrainedNetwork: false` wait. */
  setConstrained(constrained: boolean): void;
  /** Forces `online` (true or false), or gives it back to the interfaces (null). */
  setOnline(online: boolean | null): void;
  /** Stops polling and drops every subscriber. */
  close(): void;
}

const invalid = (field: string, message: string) => new BgSessionError('InvalidConfiguration', `Invalid connectivity option: ${field}: ${message}`, { field });

/**
 * Creates the {@link Connectivity} of Node. Node cannot see whether a network is metered or in
 * low-data mode, nor whether the internet is reachable, so: `online` is true when some
 * non-internal interface has an address that is not link-local (read every `pollInterval` ms and
 * on `check()`), and `expensive` / `constrained` are what the app says with `setExpensive` /
 * `setConstrained`. `setOnline` overrides the interfaces, for a host that knows better (a captive
 * portal, an OS event it listens to). Subscribers are called after every change, with the new state.
 *
 * @example
 * ```ts
 * const connectivity = createNodeConnectivity({ pollInterval: 10_000 });
 * const unsubscribe = connectivity.subscribe((state) => console.log('network', state));
 * connectivity.setExpensive(true); // the app learnt it is on a phone's hotspot
 * connectivity.current(); // { online: true, expensive: true, constrained: false }
 * unsubscribe();
 * connectivity.close();
 * ```
 */
export function createNodeConnectivity(options: NodeConnectivityOptions = {}): NodeConnectivity {
  const pollInterval = options.pollInterval ?? 5000;
  if (typeof pollInterval !== 'number' || !Number.isFinite(pollInterval) || pollInterval <= 0) throw invalid('pollInterval', 'expected a positive number of ms');
  const readInterfaces = options.interfaces ?? networkInterfaces;
  let forcedOnline = checkOnline(options.online ?? null, 'online');
  let expensive = checkFlag(options.expensive ?? false, 'expensive');
  let constrained = checkFlag(options.constrained ?? false, 'constrained');
  const listeners = new Set<(state: NetworkState) => void>();
  let state: NetworkState = read();
  let closed = false;
  const timer = setInterval(() => void check(), Math.min(pollInterval, 2 ** 31 - 1));
  timer.unref();

  function read(): NetworkState {
    return { online: forcedOnline ?? interfacesOnline(readInterfaces), expensive, constrained };
  }

  function check(): NetworkState {
    if (closed) return state;
    const next = read();
    if (next.online === state.online && next.expensive === state.expensive && next.constrained === state.constrained) return state;
    state = next;
    // A copy: a listener that unsubscribes (or subscribes) while called does not disturb the others.
    for (const listener of [...listeners]) {
      try {
        listener(next);
      } catch {
        // One failing subscriber must not keep the change from the others.
      }
    }
    return state;
  }

  return {
    current: () => state,
    subscribe(listener) {
      if (typeof listener !== 'function') throw new BgSessionError('InvalidArgument', 'subscribe: expected a function.', { field: 'listener' });
      if (closed) return () => undefined;
      const entry = (value: NetworkState) => listener(value);
      listeners.add(entry);
      return () => void listeners.delete(entry);
    },
    check,
    setExpensive(value) {
      expensive = checkFlag(value, 'expensive');
      check();
    },
    setConstrained(value) {
      constrained = checkFlag(value, 'constrained');
      check();
    },
    setOnline(value) {
      forcedOnline = checkOnline(value, 'online');
      check();
    },
    close() {
      closed = true;
      clearInterval(timer);
      listeners.clear();
    },
  };
}

function checkFlag(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw invalid(field, 'expected a boolean');
  return value;
}

function checkOnline(value: unknown, field: string): boolean | null {
  if (value !== null && typeof value !== 'boolean') throw invalid(field, 'expected a boolean or null');
  return value;
}

/** Some interface other than loopback has an address a route could use (not link-local). */
function interfacesOnline(read: () => NodeJS.Dict<NetworkInterfaceInfo[]>): boolean {
  let interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>;
  try {
    interfaces = read();
  } catch {
    // os.networkInterfaces can throw where the OS refuses (some sandboxes): assume online, since
    // an attempt that fails costs a retry while a wrong "offline" would stall every task.
    return true;
  }
  return Object.values(interfaces).some((addresses) => addresses?.some((address) => !address.internal && !isLinkLocal(address)) ?? false);
}

function isLinkLocal(address: NetworkInterfaceInfo): boolean {
  if (address.family === 'IPv4') return address.address.startsWith('169.254.');
  return /^fe[89ab][0-9a-f]:/i.test(address.address);
}
