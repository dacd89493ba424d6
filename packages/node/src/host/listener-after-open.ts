// The module's, not the global: an app's fake timers (vi.useFakeTimers) replace the global one,
// and the session's own turns must come all the same, or close() and new tasks would wait forever.
import { setImmediate } from 'node:timers';
import { sessionListenerKeys, type SessionListener } from '@bgsession/core';

/** A listener whose calls wait for the open, and the switch that lets them through. */
export interface ListenerAfterOpen {
  readonly listener: SessionListener | undefined;
  /** The open resolved: calls go through once the app's code after `await openSession()` ran. */
  opened(): void;
  /** The open failed: calls held back are dropped (nothing was acknowledged). */
  failed(): void;
  /**
   * The app closes the session: calls held back go through now, and this resolves a macrotask
   * later, once a handler that returned at once has had its acknowledgement started (the close
   * waits for it), so an app that opens and closes in one turn is not owed the same event forever.
   */
  beforeClose(): Promise<void>;
}

/**
 * Wraps the app's listener so that no handler runs before `openSession` has resolved and the code
 * after the app's `await` has run (one macrotask later): events owed from before a relaunch are
 * ready during the open, and a handler that uses the session the open returns (`const session =
 * await openSession(...)`) would otherwise throw, and its event come back a second later. A held
 * durable event is acknowledged only after its handler ran, as always. Handlers are read at each
 * call; one that is not a function at the open is passed on as it is, for the session to refuse. A
 * handler the app does not have at the call falls back to the one in `fallbacks`, if any.
 *
 * @example
 * ```ts
 * const held = listenerAfterOpen(options.listener);
 * const session = await createSession({ ..., hostOptions: { listener: held.listener } });
 * held.opened();
 * ```
 */
export function listenerAfterOpen(listener: SessionListener | undefined, fallbacks: Partial<SessionListener> = {}): ListenerAfterOpen {
  if (typeof listener !== 'object' || listener === null) return { listener, opened: () => undefined, failed: () => undefined, beforeClose: async () => undefined };
  let open: (go: boolean) => void = () => undefined;
  const gate = new Promise<boolean>((resolve) => (open = resolve));
  const app = listener as unknown as Readonly<Record<string, unknown>>;
  const wrapped: Record<string, unknown> = {};
  for (const name of sessionListenerKeys) {
    const given = app[name];
    if (given !== undefined && typeof given !== 'function') {
      wrapped[name] = given;
      continue;
    }
    wrapped[name] = async (...args: unknown[]): Promise<unknown> => {
      if (!(await gate)) return new Promise<never>(() => undefined);
      // Read at each call, as the session reads a listener (one may set a handler later), and
      // called as a method, so a listener that is a class instance keeps its `this`.
      const handler = app[name];
      if (typeof handler === 'function') return (handler as (...parameters: unknown[]) => unknown).apply(listener, args);
      const fallback = fallbacks[name];
      return typeof fallback === 'function' ? (fallback as (...parameters: unknown[]) => unknown)(...args) : undefined;
    };
  }
  return {
    listener: wrapped as SessionListener,
    opened: () => setImmediate(() => open(true)),
    failed: () => open(false),
    beforeClose: () => {
      open(true);
      return new Promise<void>((resolve) => setImmediate(resolve));
    },
  };
}
