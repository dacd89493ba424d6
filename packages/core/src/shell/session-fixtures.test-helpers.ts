import type { DurableEvent, SessionListener, TransientEvent } from './session-types.js';

/*
 * Test-only helpers for the session tests of this folder (they drive a memory host from
 * `@bgsession/testing`). Nothing outside `*.test.ts` files may import this file. It takes the
 * host structurally, so core's own type-check does not pull the testing package in.
 */

/** The part of a memory host `runUntil` drives. */
export interface ClockDriven {
  readonly clock: { flush(): Promise<void>; advanceAsync(ms: number): Promise<number> };
}

/**
 * Advances the manual clock in steps of `stepMs` until `done` holds, at most `maxSteps` times;
 * throws when it never holds, so a test cannot hang.
 */
export async function runUntil(host: ClockDriven, done: () => boolean, stepMs = 1000, maxSteps = 2000): Promise<void> {
  for (let i = 0; i < maxSteps && !done(); i += 1) {
    await host.clock.flush();
    if (done()) return;
    await host.clock.advanceAsync(stepMs);
  }
  await host.clock.flush();
  if (!done()) throw new Error('the condition did not hold within the bounded run');
}

/** Lets every queued promise chain run, `turns` macrotask turns, without moving the clock. */
export async function settle(host: ClockDriven, turns = 5): Promise<void> {
  for (let i = 0; i < turns; i += 1) await host.clock.flush();
}

/** Everything a listener heard, durable and transient, in order. */
export interface EventLog {
  readonly durable: DurableEvent[];
  readonly transient: TransientEvent[];
  /** Both, in the order they arrived, as `type:taskIdentifier`. */
  readonly order: string[];
  /** What each `downloadDidFinish` handed over, read in the handler (an in-store file is deleted after it). */
  readonly files: Map<number, Uint8Array | null>;
}

/**
 * A listener that records every event and acknowledges durable ones by returning. With
 * `readFile` (e.g. `host.byteData.readFile`), it keeps each handed-over file, as an app must.
 */
export function recordingListener(log: EventLog, readFile?: (location: string) => Uint8Array | null): SessionListener {
  const durable = (event: DurableEvent) => {
    log.durable.push(event);
    if (event.type === 'downloadDidFinish' && readFile !== undefined) log.files.set(event.task.taskIdentifier, readFile(event.location));
    log.order.push(`${event.type}:${'task' in event ? event.task.taskIdentifier : '-'}`);
  };
  const transient = (event: TransientEvent) => {
    log.transient.push(event);
    log.order.push(`${event.type}:${'task' in event ? event.task.taskIdentifier : '-'}`);
  };
  return {
    downloadDidFinish: durable,
    taskDidComplete: durable,
    sessionDidBecomeInvalid: durable,
    taskDidWriteData: transient,
    taskDidSendBodyData: transient,
    taskIsWaitingForConnectivity: transient,
    sessionDidFinishEvents: () => transient({ type: 'sessionDidFinishEvents' }),
    storeProblem: transient,
  };
}

/** An empty {@link EventLog}. */
export function eventLog(): EventLog {
  return { durable: [], transient: [], order: [], files: new Map() };
}

/** The `taskDidComplete` events of one task. */
export function completions(log: EventLog, taskIdentifier: number): Extract<DurableEvent, { type: 'taskDidComplete' }>[] {
  return log.durable.filter(
    (event): event is Extract<DurableEvent, { type: 'taskDidComplete' }> => event.type === 'taskDidComplete' && event.task.taskIdentifier === taskIdentifier,
  );
}

/** Deterministic content of `size` bytes. */
export function testContent(size: number, seed = 7): Uint8Array {
  return new Uint8Array(size).map((_, i) => (i * 31 + seed) % 251);
}

/** The first byte a `Range: bytes=N-` header asks for, or null without one. */
export function rangeStart(headers: Readonly<Record<string, string>>): number | null {
  const match = /^bytes=(\d+)-$/.exec(headers['range'] ?? '');
  return match === null ? null : Number(match[1]);
}

/**
 * Where `actual` first differs from `expected`: -1 when they are equal, `length` when one is a
 * prefix of the other, 'missing' for no bytes at all. Cheaper than a deep equality of big arrays,
 * and the index says where a resume went wrong.
 */
export function firstDifference(actual: Uint8Array | null | undefined, expected: Uint8Array): number | 'missing' {
  if (actual === null || actual === undefined) return 'missing';
  const shorter = Math.min(actual.length, expected.length);
  for (let i = 0; i < shorter; i += 1) if (actual[i] !== expected[i]) return i;
  return actual.length === expected.length ? -1 : shorter;
}

/** Awaits `call` (which may also throw synchronously) and returns what it threw or rejected with. */
export async function failureOf(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  return undefined;
}
