import type { AttemptResponse, Clock, Connectivity, Transport } from '@bgsession/core';
import type { AttemptRecord, WorldLog } from './world-log.js';

/**
 * Wraps a process's transport so that each attempt lands in the world's log: its request headers
 * as sent, its response head, and the step at which it ended (the head refused, the body read to
 * its end or failed, released, or the attempt aborted). The checkers of #7, #8 and #14 read it.
 *
 * @example
 * ```ts
 * const transport = recordingTransport(network.createTransport(), { log, session: 'app', clock, generation: () => 1 });
 * ```
 */
export function recordingTransport(
  transport: Transport,
  context: { readonly log: WorldLog; readonly session: string; readonly clock: Clock; readonly generation: () => number; readonly connectivity?: Connectivity },
): Transport {
  const { log, session, clock } = context;
  return {
    capabilities: transport.capabilities,
    async start(request) {
      const record: AttemptRecord = {
        step: log.step(),
        session,
        generation: context.generation(),
        at: clock.now(),
        wallOffset: clock.now() - clock.monotonic(),
        url: request.url,
        method: request.method,
        network: context.connectivity?.current() ?? null,
        origin: originOf(request.url),
        headers: { ...request.headers },
        response: null,
        endStep: null,
      };
      log.attempts.push(record);
      const end = (): void => {
        if (record.endStep === null) record.endStep = log.step();
      };
      if (request.signal.aborted) end();
      else request.signal.addEventListener('abort', end, { once: true });
      let response: AttemptResponse;
      try {
        response = await transport.start(request);
      } catch (error) {
        end();
        throw error;
      }
      record.response = { status: response.head.status, headers: { ...response.head.headers }, at: clock.now() };
      return { head: response.head, body: endingIterable(response.body, end) };
    },
  };
}

function endingIterable(body: AsyncIterable<Uint8Array>, end: () => void): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]() {
      const inner = body[Symbol.asyncIterator]();
      return {
        async next() {
          try {
            const result = await inner.next();
            if (result.done === true) end();
            return result;
          } catch (error) {
            end();
            throw error;
          }
        },
        async return(value?: unknown) {
          end();
          return (await inner.return?.(value)) ?? { done: true, value: undefined };
        },
      };
    },
  };
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
