import type { Clock, Connectivity, NetworkState } from '@bgsession/core';

/** A network-wide condition that can hold for a period. */
export type ConditionKind = 'offline' | 'expensive' | 'constrained';

/** The {@link Connectivity} of a simulated network, driven by its base state and its periods. */
export interface SimConnectivity extends Connectivity {
  /** Changes the base state now (fields left out keep their value). */
  set(state: Partial<NetworkState>): void;
  /** A condition from `from` to `until` (the clock's monotonic ms), applied on timers at both ends. */
  addPeriod(kind: ConditionKind, from: number, until: number): void;
}

interface Period {
  readonly kind: ConditionKind;
  readonly from: number;
  readonly until: number;
}

/**
 * Creates a {@link SimConnectivity}: the state is the base state, offline during any offline
 * period, expensive or constrained during any such period. Subscribers hear every change, in the
 * order they subscribed, then `onChange` runs (the network cuts what going offline cuts), so a
 * failure classified afterwards already reads the new state.
 *
 * @example
 * ```ts
 * const connectivity = createSimConnectivity(clock, () => undefined);
 * connectivity.addPeriod('offline', 1_000, 5_000); // offline from t=1 s to t=5 s
 * ```
 */
export function createSimConnectivity(clock: Clock, onChange: (state: NetworkState, previous: NetworkState) => void, initial: Partial<NetworkState> = {}): SimConnectivity {
  let base: NetworkState = { online: true, expensive: false, constrained: false, ...initial };
  let periods: Period[] = [];
  let current = base;
  const listeners = new Set<{ readonly listener: (state: NetworkState) => void }>();

  function recompute(): void {
    const now = clock.monotonic();
    periods = periods.filter((period) => period.until > now);
    const active = (kind: ConditionKind): boolean => periods.some((period) => period.kind === kind && period.from <= now);
    const next: NetworkState = {
      online: base.online && !active('offline'),
      expensive: base.expensive || active('expensive'),
      constrained: base.constrained || active('constrained'),
    };
    if (next.online === current.online && next.expensive === current.expensive && next.constrained === current.constrained) return;
    const previous = current;
    current = next;
    for (const entry of [...listeners]) {
      if (listeners.has(entry)) entry.listener(next);
    }
    onChange(next, previous);
  }

  return {
    current: () => current,
    subscribe(listener) {
      const entry = { listener };
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
      };
    },
    set(state) {
      base = { ...base, ...state };
      recompute();
    },
    addPeriod(kind, from, until) {
      if (!(until > from)) return;
      periods.push({ kind, from, until });
      const now = clock.monotonic();
      if (from > now) clock.setTimer(from - now, recompute);
      if (until > now && Number.isFinite(until)) clock.setTimer(until - now, recompute);
      recompute();
    },
  };
}
