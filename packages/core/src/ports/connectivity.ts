/** The network as the host sees it now. */
export interface NetworkState {
  readonly online: boolean;
  /** Metered or cellular. */
  readonly expensive: boolean;
  /** Low-data mode. */
  readonly constrained: boolean;
}

/**
 * Where the network stands, and when it changes.
 *
 * Guarantees: `current()` answers at once; a subscriber is called after every change, with the new
 * state, until it unsubscribes.
 */
export interface Connectivity {
  current(): NetworkState;
  subscribe(listener: (state: NetworkState) => void): () => void;
}
