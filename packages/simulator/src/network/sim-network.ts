import { BgSessionError, type Clock, type Connectivity, type NetworkState, type Random } from '@bgsession/core';
import type { SimServer } from '../servers/sim-server.js';
import { HostState } from './host-state.js';
import { defaultChunkLimits, type ChunkLimits } from './next-chunk.js';
import type { ActiveRun, NetworkContext, TransportHandle } from './network-context.js';
import { createSimConnectivity } from './sim-connectivity.js';
import type { NetworkEvent, NetworkFault, SimHostOptions, SimPeriod } from './sim-network-types.js';
import { createSimTransport, type SimTransport, type SimTransportOptions } from './sim-transport.js';

/** Options of {@link createSimNetwork}. */
export interface SimNetworkOptions {
  /** Every delay of the network is a timer on this clock; periods are in its monotonic ms. */
  readonly clock: Clock;
  /** Every random fault is drawn from it, in event order, so a seed replays the same world. */
  readonly random: Random;
  /** Defaults for every host's link (see {@link SimHostOptions}). */
  readonly defaultHost?: SimHostOptions;
  /** The client's own downlink, shared by every transfer, bytes per second (default unlimited). */
  readonly bandwidth?: number;
  /** The client's uplink, bytes per second (default unlimited). */
  readonly uploadBandwidth?: number;
  /** The state before any change (online, not expensive, not constrained by default). */
  readonly initialState?: Partial<NetworkState>;
  /** How body chunks are cut (1 MiB at most, 64 KiB at least when the rate allows, by default). */
  readonly chunkLimits?: Partial<ChunkLimits>;
  /** The time a failing name lookup takes, ms (default 20). */
  readonly dnsLatency?: number;
  /** Keep {@link SimNetwork.trace} (default true); turn off for long benchmark runs. */
  readonly recordTrace?: boolean;
}

/** A simulated network: hosts and their servers, the client's connectivity, transports, faults. */
export interface SimNetwork {
  /** The network as the host sees it, reflecting offline, expensive and constrained periods. */
  readonly connectivity: Connectivity;
  /** Everything that happened, in order (empty when `recordTrace` is false). */
  readonly trace: readonly NetworkEvent[];
  /** Makes a server reachable at its origins' host names, optionally configuring their links. */
  addServer(server: SimServer, host?: SimHostOptions): void;
  /** Sets a host's link and random faults (merged into what it had). */
  configureHost(hostname: string, options: SimHostOptions): void;
  /** A new HTTP client on this network (one per simulated process). */
  createTransport(options?: SimTransportOptions): SimTransport;
  /** Changes the base network state now; going offline cuts every connection. */
  setState(state: Partial<NetworkState>): void;
  /** Schedules a period (monotonic ms); an offline or host-down period cuts connections when it starts. */
  addPeriod(period: SimPeriod): void;
  /** Queues a fault for the next request to `hostname` that it applies to. */
  injectFault(hostname: string, fault: NetworkFault): void;
  /** Cuts every connection now (to one host, or all), in flight and idle; returns how many exchanges were cut. */
  dropConnections(hostname?: string): number;
}

/**
 * Creates a {@link SimNetwork} on a Clock and a Random: no real time, no real randomness, so one
 * seed and one sequence of clock advances give one trace. Hosts have a round-trip latency and a
 * bandwidth shared by their transfers; faults come as periods (offline, expensive, constrained,
 * DNS failure, host down), queued per-request faults (reset, mid-body drop, stale kept-alive
 * connection, refusal), or at random by rate.
 *
 * @example
 * ```ts
 * const clock = createManualClock();
 * const network = createSimNetwork({ clock, random: createSeededRandom(1) });
 * const server = createSimServer({ origin: 'https://files.example', clock });
 * server.file('/a.bin', { content: generatedContent({ seed: 1, length: 8 * 1024 * 1024 }) });
 * network.addServer(server, { latency: 80, bandwidth: 2_000_000, dropRate: 0.1 });
 * network.addPeriod({ kind: 'offline', from: 60_000, until: 120_000 });
 * const transport = network.createTransport();
 * ```
 */
export function createSimNetwork(options: SimNetworkOptions): SimNetwork {
  const { clock, random } = options;
  const defaults = options.defaultHost ?? {};
  const hosts = new Map<string, HostState>();
  const active = new Set<ActiveRun>();
  const transports = new Set<TransportHandle>();
  const trace: NetworkEvent[] = [];
  const recording = options.recordTrace ?? true;
  const bandwidth = options.bandwidth ?? Number.POSITIVE_INFINITY;
  const uploadBandwidth = options.uploadBandwidth ?? Number.POSITIVE_INFINITY;
  let activeBodies = 0;
  let connections = 0;
  let transportCount = 0;

  function record(event: NetworkEvent): void {
    if (recording) trace.push(event);
  }

  function hostOf(hostname: string): HostState {
    const key = hostname.toLowerCase();
    let host = hosts.get(key);
    if (host === undefined) {
      host = new HostState(key, defaults);
      hosts.set(key, host);
    }
    return host;
  }

  function cut(hostname: string | undefined, message: string): number {
    for (const transport of transports) transport.clearPool(hostname);
    let count = 0;
    for (const entry of [...active]) {
      if (hostname !== undefined && entry.hostname !== hostname) continue;
      entry.run.interrupt('dropped', message);
      count += 1;
    }
    return count;
  }

  const connectivity = createSimConnectivity(
    clock,
    (state, previous) => {
      record({ at: clock.monotonic(), type: 'connectivity', state });
      if (previous.online && !state.online) cut(undefined, 'The network went offline.');
    },
    options.initialState,
  );

  const context: NetworkContext = {
    clock,
    random,
    limits: { ...defaultChunkLimits, ...options.chunkLimits },
    dnsLatency: options.dnsLatency ?? 20,
    host: (hostname) => hosts.get(hostname.toLowerCase()),
    state: () => connectivity.current(),
    record,
    nextConnectionId: () => ++connections,
    nextTransportId: () => ++transportCount,
    track(entry) {
      active.add(entry);
      entry.run.onEnd(() => active.delete(entry));
    },
    bodyStarted(host) {
      host.activeBodies += 1;
      activeBodies += 1;
    },
    bodyEnded(host) {
      host.activeBodies -= 1;
      activeBodies -= 1;
    },
    bodyRate(host, serverLimit) {
      const share = Math.min(host.options.bandwidth / Math.max(1, host.activeBodies), bandwidth / Math.max(1, activeBodies));
      return serverLimit === null ? share : Math.min(share, serverLimit);
    },
    uploadRate: (host) => Math.min(host.options.uploadBandwidth, uploadBandwidth),
    chance(rate) {
      if (!(rate > 0)) return false;
      if (rate >= 1) return true;
      return random.next() < rate;
    },
    addTransport: (transport) => transports.add(transport),
    removeTransport: (transport) => transports.delete(transport),
  };

  return {
    connectivity,
    trace,
    addServer(server, hostOptions) {
      for (const origin of server.origins) {
        const host = hostOf(new URL(origin).hostname);
        host.servers.set(origin, server);
        if (hostOptions !== undefined) host.configure(hostOptions);
      }
    },
    configureHost: (hostname, hostOptions) => hostOf(hostname).configure(hostOptions),
    createTransport: (transportOptions) => createSimTransport(context, transportOptions),
    setState: (state) => connectivity.set(state),
    addPeriod(period) {
      if (!('host' in period)) {
        connectivity.addPeriod(period.kind, period.from, period.until);
        return;
      }
      if (!(period.until > period.from)) return;
      const host = hostOf(period.host);
      host.addPeriod({ kind: period.kind, from: period.from, until: period.until });
      if (period.kind === 'hostDown') {
        const delay = period.from - clock.monotonic();
        const down = (): void => void cut(host.hostname, `The host ${host.hostname} went down.`);
        if (delay > 0) clock.setTimer(delay, down);
        else if (period.until > clock.monotonic()) down();
      }
    },
    injectFault(hostname, fault) {
      if (fault.type === 'drop' && !(fault.afterBytes >= 0)) {
        throw new BgSessionError('InvalidArgument', `A drop comes after a number of bytes >= 0, not ${fault.afterBytes}.`, { field: 'afterBytes' });
      }
      hostOf(hostname).addFault(fault);
    },
    dropConnections: (hostname) => cut(hostname?.toLowerCase(), 'The connection was dropped.'),
  };
}
