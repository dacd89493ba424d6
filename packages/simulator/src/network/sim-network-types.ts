import type { ErrorCode, NetworkState } from '@bgsession/core';
import type { ExchangeOutcome } from '../servers/server-request.js';

/** The link to one host, and the faults it suffers at random. Every field is optional. */
export interface SimHostOptions {
  /** Round-trip time, ms (default 50). A new connection costs one (two for https: TLS). */
  readonly latency?: number;
  /** Bytes per second from the host, shared by its transfers (default 12,500,000: 100 Mbit/s). */
  readonly bandwidth?: number;
  /** Bytes per second to the host (default: `bandwidth`). */
  readonly uploadBandwidth?: number;
  /**
   * How long the server keeps an idle kept-alive connection, ms (default 5000, Node's). A client
   * that reuses one idle longer meets a reset before any response byte.
   */
  readonly serverIdleTimeout?: number;
  /** Probability that a request is reset before its response head (default 0). */
  readonly resetRate?: number;
  /** Expected connection drops per MiB of response body (default 0). */
  readonly dropRate?: number;
  /** Probability that a reused connection turns out dead: reset before any response byte (default 0). */
  readonly staleResetRate?: number;
}

/** {@link SimHostOptions} with every default filled in. */
export type ResolvedHostOptions = Required<SimHostOptions>;

/**
 * A span of monotonic time (`from` inclusive, `until` exclusive, the clock's `monotonic()` ms)
 * during which the network is offline, expensive or constrained, or one host's names fail to
 * resolve (`dnsFailure`) or the host refuses and drops every connection (`hostDown`).
 */
export type SimPeriod =
  | { readonly kind: 'offline' | 'expensive' | 'constrained'; readonly from: number; readonly until: number }
  | { readonly kind: 'dnsFailure' | 'hostDown'; readonly host: string; readonly from: number; readonly until: number };

/**
 * A fault for the next request to a host (queued, in order): `reset` (before the response head),
 * `drop` (the response body is cut after `afterBytes` bytes), `staleReset` (the next reused
 * connection is found dead), `dnsFailure` and `refuse` (the next new connection fails so).
 */
export type NetworkFault =
  | { readonly type: 'reset' }
  | { readonly type: 'drop'; readonly afterBytes: number }
  | { readonly type: 'staleReset' }
  | { readonly type: 'dnsFailure' }
  | { readonly type: 'refuse' };

/** Why an attempt failed before a response, as the trace says. */
export type FailureReason = 'offline' | 'dns' | 'refused' | 'reset' | 'stale' | 'aborted' | 'dropped' | 'closed';

/** One thing that happened on the network, at the clock's monotonic time `at`. */
export type NetworkEvent =
  | { readonly at: number; readonly type: 'connect'; readonly transport: number; readonly connection: number; readonly origin: string }
  | { readonly at: number; readonly type: 'request'; readonly transport: number; readonly connection: number; readonly reused: boolean; readonly method: string; readonly url: string }
  | { readonly at: number; readonly type: 'response'; readonly connection: number; readonly status: number }
  | { readonly at: number; readonly type: 'end'; readonly connection: number; readonly bytes: number; readonly outcome: ExchangeOutcome }
  | { readonly at: number; readonly type: 'failure'; readonly transport: number; readonly url: string; readonly code: ErrorCode; readonly reason: FailureReason }
  | { readonly at: number; readonly type: 'connectivity'; readonly state: NetworkState };
