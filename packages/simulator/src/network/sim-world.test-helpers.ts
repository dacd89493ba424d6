import type { AttemptRequest, AttemptResponse } from '@bgsession/core';
import { createManualClock, createSeededRandom, type ManualClock } from '@bgsession/testing';
import { createSimServer, type SimServer } from '../servers/sim-server.js';
import { createSimNetwork, type SimNetwork, type SimNetworkOptions } from './sim-network.js';
import type { SimHostOptions } from './sim-network-types.js';
import type { SimTransport, SimTransportOptions } from './sim-transport.js';

/*
 * Test-only helpers for the network tests of this folder. Nothing outside `*.test.ts` files may
 * import this file.
 */

/** A clock, a network, one server at https://files.example and a transport. */
export interface TestWorld {
  readonly clock: ManualClock;
  readonly network: SimNetwork;
  readonly server: SimServer;
  readonly transport: SimTransport;
}

export const origin = 'https://files.example';

/** A small world; the host's link is 100 ms RTT and 1 MB/s unless told otherwise. */
export function testWorld(
  host: SimHostOptions = {},
  options: { readonly network?: Partial<SimNetworkOptions>; readonly transport?: SimTransportOptions; readonly seed?: number } = {},
): TestWorld {
  const clock = createManualClock({ now: 1_700_000_000_000 });
  const network = createSimNetwork({ clock, random: createSeededRandom(options.seed ?? 1), ...options.network });
  const server = createSimServer({ origin, clock });
  network.addServer(server, { latency: 100, bandwidth: 1_000_000, ...host });
  return { clock, network, server, transport: network.createTransport(options.transport) };
}

/** An attempt request with a fresh signal. */
export function request(url: string, extra: Partial<AttemptRequest> = {}): AttemptRequest {
  return { taskIdentifier: 1, url, method: 'GET', headers: { 'accept-encoding': 'identity' }, body: null, signal: new AbortController().signal, ...extra };
}

/** How a promise settled, and at which monotonic instant. */
export type Settled<T> = { readonly ok: true; readonly value: T; readonly at: number } | { readonly ok: false; readonly error: unknown; readonly at: number };

/**
 * Moves the clock from timer to timer until `promise` settles (bounded), letting promise chains run
 * between timers. Throws when it never settles.
 */
export async function settle<T>(clock: ManualClock, promise: Promise<T>, maxTimers = 10_000): Promise<Settled<T>> {
  let result: Settled<T> | null = null;
  promise.then(
    (value) => (result = { ok: true, value, at: clock.monotonic() }),
    (error: unknown) => (result = { ok: false, error, at: clock.monotonic() }),
  );
  for (let i = 0; i < maxTimers && result === null; i += 1) {
    await clock.flush();
    if (result !== null) break;
    const next = clock.nextTimerAt();
    if (next === null) break;
    clock.advanceTo(next);
  }
  await clock.flush();
  if (result === null) throw new Error('the promise never settled (no timer left, or too many)');
  return result;
}

/** What reading a whole body gave: its bytes, the chunk sizes, the error that ended it, if any. */
export interface BodyRead {
  readonly bytes: Uint8Array;
  readonly chunks: readonly number[];
  readonly error: unknown;
  readonly at: number;
}

/** Reads a body to its end (or failure), driving the clock. */
export async function readBody(clock: ManualClock, response: AttemptResponse): Promise<BodyRead> {
  const iterator = response.body[Symbol.asyncIterator]();
  const parts: Uint8Array[] = [];
  for (let i = 0; i < 100_000; i += 1) {
    const step = await settle(clock, iterator.next());
    if (!step.ok) return { bytes: join(parts), chunks: parts.map((part) => part.length), error: step.error, at: step.at };
    if (step.value.done === true) return { bytes: join(parts), chunks: parts.map((part) => part.length), error: null, at: step.at };
    parts.push(step.value.value);
  }
  throw new Error('the body never ended');
}

/** Starts an attempt and reads its whole body, driving the clock. */
export async function fetchAll(world: TestWorld, attempt: AttemptRequest): Promise<{ readonly response: AttemptResponse; readonly read: BodyRead; readonly headAt: number }> {
  const started = await settle(world.clock, world.transport.start(attempt));
  if (!started.ok) throw started.error;
  return { response: started.value, read: await readBody(world.clock, started.value), headAt: started.at };
}

function join(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

