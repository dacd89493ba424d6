import type { AttemptRequest, AttemptResponse } from '@bgsession/core';
import type fc from 'fast-check';
import type { SimTransport } from '../network/sim-transport.js';
import type { World } from '../world/world-types.js';

// How fast-check's scheduler and a world's virtual clock share the run (faults.md D24).
//
// The world is deterministic: alone, it runs one interleaving of the network and the app. To let
// fc.scheduler explore the others, everything the network hands the session (each response head,
// each body piece, each end of body) and each racing app call becomes a task of the scheduler,
// registered at the virtual instant it happens. The driver below releases the scheduler's tasks
// one at a time, in the order fast-check picks, and moves the clock only when none is pending:
// the clock runs the world between the races, the scheduler decides who wins each one.
//
// Only settled results are scheduled (never a promise still waiting on the clock): a task the
// scheduler releases must not need time to move, or the driver would wait on itself.

/** One thing the network handed the session, as the scheduler labels and the test sees it. */
export interface BodyPiece {
  /** 1 for the first response of the world, +1 for each later one. */
  readonly attempt: number;
  /** `head`, a body piece, or the `end` of the body. */
  readonly kind: 'head' | 'piece' | 'end';
  /** The piece's length (0 for a head or an end). */
  readonly bytes: number;
  /** Body bytes of this response handed over once this one is, and the response's Content-Length (null when absent). */
  readonly received: number;
  readonly expected: number | null;
}

/** `n` microtask turns: where, inside the session's reaction to the last release, an app call lands. */
export async function ticks(n: number): Promise<void> {
  for (let turn = 0; turn < n; turn += 1) await Promise.resolve();
}

/** A promise's outcome as a value. */
export type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** Resolves with `promise`'s outcome, never rejects. */
export function settled<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/**
 * Makes every response head, body piece and end of body the world's network hands a session a
 * task of `s`, released when fast-check picks it. `onPiece` is told of each as it is scheduled (at
 * its virtual instant), so a test can start a racing app call at that moment. Call it before the
 * world opens a session: it wraps `world.network.createTransport`, which the world calls for each
 * process's session (the world has no hook of its own for this).
 */
export function scheduleNetwork(world: World, s: fc.Scheduler, onPiece: (piece: BodyPiece) => void = () => undefined): void {
  const create = world.network.createTransport.bind(world.network);
  let attempts = 0;
  const released = <T>(label: string, outcome: Settled<T>): Promise<T> =>
    // A rejection is rethrown after the release, never scheduled as a rejected promise (which
    // would be unhandled until the scheduler picks it).
    s.schedule(Promise.resolve(), label).then(() => {
      if (outcome.ok) return outcome.value;
      throw outcome.error;
    });
  world.network.createTransport = (options): SimTransport => {
    const transport = create(options);
    async function start(request: AttemptRequest): Promise<AttemptResponse> {
      const head = await settled(transport.start(request));
      attempts += 1;
      const attempt = attempts;
      const length = head.ok ? Number(head.value.head.headers['content-length'] ?? Number.NaN) : Number.NaN;
      const expected = Number.isFinite(length) ? length : null;
      onPiece({ attempt, kind: 'head', bytes: 0, received: 0, expected });
      const response = await released(`head ${attempt}`, head);
      let received = 0;
      let index = 0;
      const body: AsyncIterable<Uint8Array> = {
        [Symbol.asyncIterator]() {
          const iterator = response.body[Symbol.asyncIterator]();
          return {
            async next() {
              const result = await settled(iterator.next());
              index += 1;
              const piece = result.ok && result.value.done !== true ? result.value.value.byteLength : 0;
              received += piece;
              onPiece({ attempt, kind: result.ok && result.value.done !== true ? 'piece' : 'end', bytes: piece, received, expected });
              return released(`${piece > 0 ? `piece ${attempt}.${index} (${received} bytes)` : `end ${attempt}`}`, result);
            },
            return: async (value?: unknown) => (iterator.return === undefined ? { done: true as const, value: undefined } : iterator.return(value)),
          };
        },
      };
      return { head: response.head, body };
    }
    return { id: transport.id, capabilities: transport.capabilities, close: () => transport.close(), start };
  };
}

/**
 * Runs the world with `s` deciding every race: releases the scheduler's tasks one at a time
 * while any is pending (without letting the session settle in between, so a released app call
 * can land inside the session's reaction to the previous release), then lets promise chains run,
 * then moves the clock to its next timer. Stops when `until` holds with nothing pending, when no
 * timer is left, or after `limit` virtual ms.
 */
export async function driveWorld(world: World, s: fc.Scheduler, options: { readonly until: () => boolean; readonly limit: number }): Promise<void> {
  const end = world.clock.monotonic() + options.limit;
  for (let step = 0; step < 1_000_000; step += 1) {
    while (s.count() > 0) await s.waitNext(1);
    await world.clock.settle();
    if (s.count() > 0) continue;
    if (options.until()) return;
    const next = world.clock.nextDueAt();
    if (next === null || next > end) return;
    await world.clock.advanceTo(next);
  }
  throw new Error('driveWorld: the world never settled');
}
