import { BgSessionError, type AttemptRequest, type ResponseHead, type Transport } from '@bgsession/core';

/** What a {@link pacedTransport} reports about each attempt, as it happens. */
export interface AttemptObserver {
  /** The request left (1 for the first attempt); called once the wrapped transport has it. */
  started?(attempt: number, request: AttemptRequest): void;
  /** The response head arrived. */
  answered?(attempt: number, head: ResponseHead): void;
  /** The attempt ended: `bodyBytes` reached the client, and `error` is why it ended early, or null. */
  ended?(attempt: number, bodyBytes: number, error: unknown): void;
}

/** Options of {@link pacedTransport}. */
export interface PacedTransportOptions {
  /** How fast body bytes arrive, on the clock `wait` uses. */
  readonly bytesPerSecond: number;
  /** Resolves after `ms` of the session's (virtual) clock. */
  readonly wait: (ms: number) => Promise<void>;
  readonly observer?: AttemptObserver;
}

/**
 * Wraps a transport so each body chunk takes time on the session's clock, as on a real link, and
 * reports every attempt to an observer. Without pacing, a scripted body arrives in one instant of
 * virtual time, and throttled progress would show only its start and end.
 *
 * @example
 * ```ts
 * const transport = pacedTransport(createScriptedTransport(serveBytes(content)), {
 *   bytesPerSecond: 1024 * 1024,
 *   wait: (ms) => new Promise((resolve) => host.clock.setTimer(ms, resolve)),
 * });
 * ```
 */
export function pacedTransport(inner: Transport, options: PacedTransportOptions): Transport {
  const { observer = {}, wait, bytesPerSecond } = options;
  let attempts = 0;

  async function* paced(attempt: number, body: AsyncIterable<Uint8Array>, signal: AbortSignal): AsyncGenerator<Uint8Array> {
    let delivered = 0;
    try {
      for await (const chunk of body) {
        await wait((chunk.byteLength * 1000) / bytesPerSecond);
        if (signal.aborted) throw new BgSessionError('ConnectionFailed', 'The attempt was aborted.');
        delivered += chunk.byteLength;
        yield chunk;
      }
    } catch (error) {
      observer.ended?.(attempt, delivered, error);
      throw error;
    }
    observer.ended?.(attempt, delivered, null);
  }

  return {
    capabilities: inner.capabilities,
    async start(request) {
      attempts += 1;
      const attempt = attempts;
      // Started before it is reported, so a scripted transport has already recorded the request.
      const pending = inner.start(request);
      observer.started?.(attempt, request);
      let response;
      try {
        response = await pending;
      } catch (error) {
        observer.ended?.(attempt, 0, error);
        throw error;
      }
      observer.answered?.(attempt, response.head);
      return { head: response.head, body: paced(attempt, response.body, request.signal) };
    },
  };
}
