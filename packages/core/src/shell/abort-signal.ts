import { BgSessionError } from '../errors/bg-session-error.js';

/**
 * Checks an optional `AbortSignal` argument of a public call: anything else is `InvalidArgument`.
 *
 * @example
 * ```ts
 * const signal = checkSignal(options.signal, 'outcome');
 * ```
 */
export function checkSignal(signal: unknown, call: string): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  const candidate = signal as Partial<AbortSignal> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.aborted !== 'boolean' || typeof candidate.addEventListener !== 'function') {
    throw new BgSessionError('InvalidArgument', `${call}(): signal must be an AbortSignal`, { field: 'signal' });
  }
  return signal as AbortSignal;
}

/**
 * The error a waiting call rejects with when its signal aborts; the signal's reason (an
 * `AbortSignal.timeout()`'s TimeoutError, the app's own value) is its `cause`.
 */
export function abortedError(call: string, signal: AbortSignal): BgSessionError {
  const reason: unknown = signal.reason;
  return new BgSessionError('InvalidArgument', `${call}(): the signal was aborted.`, { field: 'signal', ...(reason === undefined ? {} : { cause: reason }) });
}

/**
 * Waits for `subscribe` to call back, rejecting when `signal` aborts or the host stops first, and
 * leaving no listener behind either way.
 */
export function waitFor<T>(
  call: string,
  signal: AbortSignal | undefined,
  subscribe: (resolve: (value: T) => void) => () => void,
  whenStopped: (listener: () => void) => () => void,
  stoppedError: () => BgSessionError,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted === true) return reject(abortedError(call, signal));
    const cleanups: Array<() => void> = [];
    const settle = (action: () => void) => {
      for (const cleanup of cleanups.splice(0)) cleanup();
      action();
    };
    const onAbort = () => settle(() => reject(abortedError(call, signal as AbortSignal)));
    cleanups.push(subscribe((value) => settle(() => resolve(value))));
    cleanups.push(whenStopped(() => settle(() => reject(stoppedError()))));
    if (signal !== undefined) {
      signal.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => signal.removeEventListener('abort', onAbort));
    }
  });
}
