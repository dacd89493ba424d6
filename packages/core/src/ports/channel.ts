/**
 * An ordered duplex message stream between a remote client and a host (daemon socket,
 * `postMessage`, in-memory). Messages are JSON-compatible values, decoded by the receiver.
 *
 * Guarantees: messages arrive in the order sent, each once, until `close`; `onClose` is called once
 * when either side closes or the peer dies.
 */
export interface Channel {
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): () => void;
  onClose(listener: () => void): () => void;
  close(): void;
}
