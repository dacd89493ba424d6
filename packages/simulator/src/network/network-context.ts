import type { Clock, NetworkState, Random } from '@bgsession/core';
import type { AttemptRun } from './attempt-run.js';
import type { HostState } from './host-state.js';
import type { ChunkLimits } from './next-chunk.js';
import type { NetworkEvent } from './sim-network-types.js';

/** An attempt hop in flight, known to the network so that going offline or a host going down can cut it. */
export interface ActiveRun {
  readonly run: AttemptRun;
  readonly hostname: string;
  readonly transport: number;
}

/** What a transport needs from the network it runs on (internal to the simulator). */
export interface NetworkContext {
  readonly clock: Clock;
  readonly random: Random;
  readonly limits: ChunkLimits;
  /** The time a failed name lookup takes, ms. */
  readonly dnsLatency: number;
  /** The host of that name, or undefined when no server was added for it. */
  host(hostname: string): HostState | undefined;
  state(): NetworkState;
  record(event: NetworkEvent): void;
  nextConnectionId(): number;
  nextTransportId(): number;
  /** Tracks a hop until it ends. */
  track(active: ActiveRun): void;
  /** A response body starts or stops sharing the links. */
  bodyStarted(host: HostState): void;
  bodyEnded(host: HostState): void;
  /** The rate a body from `host` gets now, bytes per second, capped by the server's own limit. */
  bodyRate(host: HostState, serverLimit: number | null): number;
  /** The rate a request body to `host` goes at, bytes per second. */
  uploadRate(host: HostState): number;
  /** True with probability `rate`, drawn from the Random port only when 0 < rate < 1. */
  chance(rate: number): boolean;
  /** Registers a transport's pool, so the network can close its connections. */
  addTransport(transport: TransportHandle): void;
  removeTransport(transport: TransportHandle): void;
}

/** The part of a transport the network acts on. */
export interface TransportHandle {
  readonly id: number;
  /** Forgets idle connections to one host, or all. */
  clearPool(hostname?: string): void;
}
