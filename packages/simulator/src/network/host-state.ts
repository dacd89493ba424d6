import type { SimServer } from '../servers/sim-server.js';
import type { NetworkFault, ResolvedHostOptions, SimHostOptions } from './sim-network-types.js';

/** A span of monotonic time during which a host fails in one way. */
interface HostPeriod {
  readonly kind: 'dnsFailure' | 'hostDown';
  readonly from: number;
  readonly until: number;
}

const builtInDefaults: ResolvedHostOptions = {
  latency: 50,
  bandwidth: 12_500_000,
  uploadBandwidth: 12_500_000,
  serverIdleTimeout: 5000,
  resetRate: 0,
  dropRate: 0,
  staleResetRate: 0,
};

/**
 * Fills in a host's options: its own, then the network's defaults, then the built-in ones. The
 * upload bandwidth follows the download bandwidth unless set.
 */
function resolveHostOptions(own: SimHostOptions, defaults: SimHostOptions): ResolvedHostOptions {
  const bandwidth = own.bandwidth ?? defaults.bandwidth ?? builtInDefaults.bandwidth;
  return {
    latency: own.latency ?? defaults.latency ?? builtInDefaults.latency,
    bandwidth,
    uploadBandwidth: own.uploadBandwidth ?? defaults.uploadBandwidth ?? bandwidth,
    serverIdleTimeout: own.serverIdleTimeout ?? defaults.serverIdleTimeout ?? builtInDefaults.serverIdleTimeout,
    resetRate: own.resetRate ?? defaults.resetRate ?? builtInDefaults.resetRate,
    dropRate: own.dropRate ?? defaults.dropRate ?? builtInDefaults.dropRate,
    staleResetRate: own.staleResetRate ?? defaults.staleResetRate ?? builtInDefaults.staleResetRate,
  };
}

/** One host name on the virtual network: its link, its servers by origin, its pending faults. */
export class HostState {
  /** Servers by normalised origin (`https://files.example`). */
  readonly servers = new Map<string, SimServer>();
  /** Response bodies from this host in flight: they share its bandwidth. */
  activeBodies = 0;
  private own: SimHostOptions = {};
  private resolved: ResolvedHostOptions;
  private readonly faults: NetworkFault[] = [];
  private periods: HostPeriod[] = [];

  constructor(
    readonly hostname: string,
    private readonly defaults: SimHostOptions,
  ) {
    this.resolved = resolveHostOptions({}, defaults);
  }

  get options(): ResolvedHostOptions {
    return this.resolved;
  }

  /** Merges `options` into the host's own. */
  configure(options: SimHostOptions): void {
    this.own = { ...this.own, ...options };
    this.resolved = resolveHostOptions(this.own, this.defaults);
  }

  addFault(fault: NetworkFault): void {
    this.faults.push(fault);
  }

  /** Removes and returns the first queued fault of this type. */
  takeFault<T extends NetworkFault['type']>(type: T): Extract<NetworkFault, { type: T }> | undefined {
    const index = this.faults.findIndex((fault) => fault.type === type);
    if (index < 0) return undefined;
    return this.faults.splice(index, 1)[0] as Extract<NetworkFault, { type: T }>;
  }

  addPeriod(period: HostPeriod): void {
    this.periods.push(period);
  }

  /** Whether a period of `kind` covers the monotonic instant `now` (expired ones are forgotten). */
  inPeriod(kind: HostPeriod['kind'], now: number): boolean {
    this.periods = this.periods.filter((period) => period.until > now);
    return this.periods.some((period) => period.kind === kind && period.from <= now);
  }
}
