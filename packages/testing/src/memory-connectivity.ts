import type { Connectivity, NetworkState } from '@bgsession/core';

/** A {@link Connectivity} the test drives. */
export interface MemoryConnectivity extends Connectivity {
  /**
   * Changes the network state (fields left out keep their value). Subscribers are called, in the
   * order they subscribed, only when something changed.
   */
  set(state: Partial<NetworkState>): void;
  /** How many listeners are subscribed now. */
  subscribers(): number;
}

const online: NetworkState = { online: true, expensive: false, constrained: false };

/**
 * Creates a {@link MemoryConnectivity}: online, not expensive, not constrained unless told otherwise.
 *
 * @example
 * ```ts
 * const connectivity = createMemoryConnectivity();
 * const stop = connectivity.subscribe((state) => console.log(state.online));
 * connectivity.set({ online: false }); // logs false
 * stop();
 * ```
 */
export function createMemoryConnectivity(initial: Partial<NetworkState> = {}): MemoryConnectivity {
  let current: NetworkState = { ...online, ...initial };
  const listeners = new Set<{ readonly listener: (state: NetworkState) => void }>();

  return {
    current: () => current,
    subscribe(listener) {
      // Wrapped, so the same function subscribed twice is two subscriptions, each removed once.
      const entry = { listener };
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
      };
    },
    set(state) {
      const next: NetworkState = { ...current, ...state };
      if (
        next.online === current.online &&
        next.expensive === current.expensive &&
        next.constrained === current.constrained
      ) {
        return;
      }
      current = next;
      // A snapshot: a listener that unsubscribes another does not change who hears this change.
      for (const entry of [...listeners]) {
        if (listeners.has(entry)) entry.listener(next);
      }
    },
    subscribers: () => listeners.size,
  };
}
