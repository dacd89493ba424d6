import type { AttemptResponse, Clock, Connectivity, Transport } from '@bgsession/core';
import type { AttemptRecord, WorldLog } from './world-log.js';

/**
 * Wraps a process's transport so that each attempt lands in the world's log: its request headers
 * as sent, its response head, the step at which it ended (the head refused, the body read to
 * its end or failed, released, or the attempt aborted), and the first bytes it moved after each
 * network change. The checkers of #7, #8, #14 and #15 read it. Bytes that move while `running`
 * says the process is suspended are not the session's doing (it cannot react before it runs
 * again), so they are not logged as moved.
 *
 * @example
 * ```ts
 * const transport = recordingTransport(network.createTransport(), { log, session: 'app', clock, generation: () => 1 });
 * ```
 */
export function recordingTransport(
  transport: Transport,
  context: {
    readonly log: WorldLog;
    readonly session: string;
    readonly clock: Clock;
    readonly generation: () => number;
    readonly connectivity?: Connectivity;
    readonly running?: () => boolean;
  },
): Transport {
  const { log, session, clock } = context;
  return {
    capabilities: transport.capabilities,
    async start(request) {
      const record: AttemptRecord = {
        step: log.step(),
        session,
        taskIdentifier: request.taskIdentifier,
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
        endMonotonic: null,
        movedAfterChange: [],
      };
      log.attempts.push(record);
      const end = (): void => {
        if (record.endStep !== null) return;
        record.endStep = log.step();
        record.endMonotonic = clock.monotonic();
      };
      let changesSeen = log.networkChanges.length;
      const moved = (): void => {
        if (changesSeen === log.networkChanges.length || context.running?.() === false) return;
        changesSeen = log.networkChanges.length;
        record.movedAfterChange.push({ step: log.step(), monotonic: clock.monotonic() });
      };
      if (request.signal.aborted) end();
      else request.signal.addEventListener('abort', end, { once: true });
      let response: AttemptResponse;
      try {
        const body = request.body;
        response = await transport.start(body === null ? request : { ...request, body: { length: body.length, open: () => pullingIterable(body.open(), moved) } });
      } catch (error) {
        end();
        throw error;
      }
      moved();
      record.response = { status: response.head.status, headers: { ...response.head.headers }, at: clock.now() };
      return { head: response.head, body: endingIterable(response.body, end, moved) };
    },
  };
}

function endingIterable(body: AsyncIterable<Uint8Array>, end: () => void, moved: () => void): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]() {
      const inner = body[Symbol.asyncIterator]();
      return {
        async next() {
          try {
            const result = await inner.next();
            if (result.done === true) end();
            else moved();
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

/** A request body that calls `pulled` each time the transport asks for more: the chunk before has gone. */
function pullingIterable(body: AsyncIterable<Uint8Array>, pulled: () => void): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]() {
      const inner = body[Symbol.asyncIterator]();
      return {
        next() {
          pulled();
          return inner.next();
        },
        async return(value?: unknown) {
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
