import type { DownloadOptions, DurableEvent, Session, SessionConfigurationInput, SessionListener, Task, TaskOutcome } from '@bgsession/core';
import { sameBytes as sameContentBytes } from '../invariants/content-bytes.js';
import type { SimHostOptions } from '../network/sim-network-types.js';
import type { ServerRequestRecord } from '../servers/server-request.js';
import type { SimContent } from '../servers/sim-content.js';
import type { SimServer } from '../servers/sim-server.js';
import { createWorld } from '../world/create-world.js';
import type { World } from '../world/world-types.js';

/*
 * Test-only helpers for the fault B tests of this folder (retries, timeouts, connectivity). Nothing
 * outside `b-*.test.ts` files may import this file.
 */

/** The one origin of every B world, and its host name. */
export const origin = 'https://files.example';
export const hostname = 'files.example';

/** Where downloads land on the world's disk. */
export const downloads = '/downloads';

/** A world with one server, its downloads directory, and one session whose listener records every durable event. */
export interface FaultWorld {
  readonly world: World;
  readonly server: SimServer;
  readonly session: Session;
  /** Every durable event the app received, in order, over every process of the world. */
  readonly events: DurableEvent[];
}

/** Options of {@link faultWorld}. */
export interface FaultWorldOptions {
  readonly seed?: number;
  /** The host's link (latency 50 ms and 100 Mbit/s by default, the world's). */
  readonly host?: SimHostOptions;
  readonly configuration?: Omit<SessionConfigurationInput, 'identifier'>;
}

/**
 * Builds a seeded world, with routes added by `routes` before the session opens.
 *
 * @example
 * ```ts
 * const { world, server, session, events } = await faultWorld({ seed: 1 }, (server) => server.route('/a', () => ({ type: 'status', status: 404 })));
 * ```
 */
export async function faultWorld(options: FaultWorldOptions, routes: (server: SimServer) => void): Promise<FaultWorld> {
  const world = createWorld({ seed: options.seed ?? 1 });
  const server = world.server(origin);
  routes(server);
  if (options.host !== undefined) world.network.configureHost(hostname, options.host);
  await world.disk.fs.mkdir(downloads);
  await world.disk.fs.fsyncDir('/');
  const events: DurableEvent[] = [];
  const listener: SessionListener = {
    downloadDidFinish: (event) => void events.push(event),
    taskDidComplete: (event) => void events.push(event),
    sessionDidBecomeInvalid: (event) => void events.push(event),
  };
  const session = await world.openSession({ identifier: 'app', listener, ...(options.configuration === undefined ? {} : { configuration: options.configuration }) });
  return { world, server, session, events };
}

/**
 * Downloads `origin + path` to the same path under {@link downloads}.
 *
 * @example
 * ```ts
 * const task = await download(session, '/a.bin', { timeoutForResource: 60_000 });
 * ```
 */
export function download(session: Session, path: string, options: Omit<DownloadOptions, 'url' | 'destination'> = {}): Promise<Task> {
  return session.download({ ...options, url: `${origin}${path}`, destination: { type: 'path', path: `${downloads}${path}`, ifExists: 'fail' } });
}

/**
 * Runs the world until every task has an outcome (or `limit` virtual ms passed), and returns the
 * outcomes in the order of `tasks` (undefined for a task that had none).
 *
 * @example
 * ```ts
 * const [outcome] = await runUntilEnded(world, [task], 60 * 60 * 1000);
 * ```
 */
export async function runUntilEnded(world: World, tasks: readonly Task[], limit: number): Promise<(TaskOutcome | undefined)[]> {
  const outcomes = new Map<Task, TaskOutcome>();
  for (const task of tasks) void task.outcome().then((outcome) => outcomes.set(task, outcome));
  await world.runUntilIdle({ limit, until: () => outcomes.size === tasks.length });
  // The outcome commit's events are delivered in the same turn or the next few: let them land.
  await world.advance(0);
  return tasks.map((task) => outcomes.get(task));
}

/**
 * What the app was told of one task, in order: each durable event's type, with the error's code
 * and status for `taskDidComplete`.
 *
 * @example
 * ```ts
 * expect(eventsOf(events, task.taskIdentifier)).toEqual([['taskDidComplete', 'HttpStatus', 404]]);
 * ```
 */
export function eventsOf(events: readonly DurableEvent[], taskIdentifier: number): (readonly [string] | readonly [string, string | null, number | null])[] {
  return events
    .filter((event) => event.type !== 'sessionDidBecomeInvalid' && event.task.taskIdentifier === taskIdentifier)
    .map((event) => (event.type === 'taskDidComplete' ? ([event.type, event.error?.code ?? null, event.error?.status ?? null] as const) : ([event.type] as const)));
}

/**
 * The requests the server received for `path`, in order.
 *
 * @example
 * ```ts
 * expect(requestsTo(server, '/a.bin').map((request) => request.headers['range'])).toEqual([undefined, 'bytes=65536-']);
 * ```
 */
export function requestsTo(server: SimServer, path: string): ServerRequestRecord[] {
  return server.requests.filter((request) => request.path === path);
}

/**
 * The virtual ms between consecutive requests, as the server saw them arrive.
 *
 * @example
 * ```ts
 * gaps(requestsTo(server, '/a')); // [812, 1530]
 * ```
 */
export function gaps(requests: readonly ServerRequestRecord[]): number[] {
  return requests.slice(1).map((request, index) => request.at - (requests[index]?.at ?? Number.NaN));
}

/**
 * Whether `bytes` are exactly the content's bytes (the file the app got is the server's).
 *
 * @example
 * ```ts
 * expect(sameBytes(world.disk.readFile('/downloads/a.bin'), content)).toBe(true);
 * ```
 */
export function sameBytes(bytes: Uint8Array | null, content: SimContent): boolean {
  return bytes !== null && sameContentBytes(bytes, content);
}
