import type { SessionListener, TransientEvent } from './session-types.js';

/**
 * Hands a transient event to the listener. Transient events are best effort: a handler that throws,
 * or returns a promise that rejects, must not break the transfer nor crash the host.
 */
export function callTransient(listener: SessionListener, event: TransientEvent): void {
  try {
    const result: unknown = invoke(listener, event);
    if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
      (result as Promise<unknown>).then(undefined, () => undefined);
    }
  } catch {
    // Best effort, as above.
  }
}

function invoke(listener: SessionListener, event: TransientEvent): unknown {
  switch (event.type) {
    case 'taskDidWriteData':
      return listener.taskDidWriteData?.(event);
    case 'taskDidSendBodyData':
      return listener.taskDidSendBodyData?.(event);
    case 'taskIsWaitingForConnectivity':
      return listener.taskIsWaitingForConnectivity?.(event);
    case 'sessionDidFinishEvents':
      return listener.sessionDidFinishEvents?.();
    case 'storeProblem':
      return listener.storeProblem?.(event);
    case 'eventDeliveryFailed':
      return listener.eventDeliveryFailed?.(event);
  }
}
