import { subscribe, unsubscribe } from 'node:diagnostics_channel';

/**
 * Tells, for each request of one transport, whether undici wrote it on a kept-alive connection, and
 * on which socket.
 */
export interface ConnectionReuseTracker {
  /**
   * Called from the handler's `onRequestStart`: the next request undici writes with this method and
   * path is this one, and `report` learns its socket and whether that socket carried an earlier
   * request.
   */
  expect(method: string, path: string, report: (reused: boolean, socket: object) => void): void;
  /** Stops listening. */
  close(): void;
}

interface Expected {
  readonly method: string;
  readonly path: string;
  readonly report: (reused: boolean, socket: object) => void;
}

const sendHeadersChannel = 'undici:client:sendHeaders';

/**
 * Undici does not hand the socket to a dispatch handler, but it publishes every request it writes,
 * with its socket, on the `undici:client:sendHeaders` diagnostics channel, synchronously right after
 * calling the handler's `onRequestStart` (client-h1 `writeH1`). The handler announces itself in
 * `onRequestStart`; the next publication with the same method and path is its own, and a socket
 * seen before means a reused connection. The announcement is dropped after the current
 * synchronous run, so a request undici gave up on before writing cannot be credited with another
 * one's socket. The channel is process-wide (Node's own fetch publishes on it too): the method and
 * path check and the one-run window keep other clients' requests out.
 *
 * Why it matters: a reset on a reused connection before any response byte is a stale keep-alive
 * connection, which semantics section 4 retries at once without spending an attempt; and the
 * socket tells whether undici will keep the connection, hence whether the body may be paused
 * (see `connectionKeptAlive`, ADR 11).
 */
export function trackConnectionReuse(): ConnectionReuseTracker {
  const seenSockets = new WeakSet<object>();
  let expected: Expected | null = null;

  const onSendHeaders = (message: unknown): void => {
    const current = expected;
    if (current === null || typeof message !== 'object' || message === null) return;
    const { request, socket } = message as { request?: { method?: unknown; path?: unknown }; socket?: unknown };
    if (typeof socket !== 'object' || socket === null) return;
    if (request?.method !== current.method || request.path !== current.path) return;
    expected = null;
    const reused = seenSockets.has(socket);
    seenSockets.add(socket);
    current.report(reused, socket);
  };
  subscribe(sendHeadersChannel, onSendHeaders);

  return {
    expect(method, path, report) {
      const entry: Expected = { method, path, report };
      expected = entry;
      queueMicrotask(() => {
        if (expected === entry) expected = null;
      });
    },
    close() {
      unsubscribe(sendHeadersChannel, onSendHeaders);
      expected = null;
    },
  };
}
