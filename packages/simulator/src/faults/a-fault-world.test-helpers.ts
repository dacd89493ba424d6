import { createJournalStore, decodeTaskRecord, type Session, type SessionConfigurationInput, type Task, type TaskRecord } from '@bgsession/core';
import { createNodeTestHasher } from '@bgsession/testing';
import type { ServerRequestRecord } from '../servers/server-request.js';
import type { SimServer } from '../servers/sim-server.js';
import { createWorld } from '../world/create-world.js';
import { sessionDirectoryName } from '../world/part-lengths.js';
import type { World } from '../world/world-types.js';

/*
 * Test-only helpers for the fault A tests of this folder (faults.md section A on the simulator).
 * Nothing outside `a-*.test.ts` files may import this file.
 */

export const origin = 'https://files.example';
/** The content's length: 16 blocks of the generated pattern. */
export const L = 64 * 1024;
/** The bytes the first attempt keeps before its fault. */
export const N = 16 * 1024;
/**
 * 2024-01-01T00:00:00Z. The world starts on a whole second, so a Last-Modified of "now" and the
 * Date of the first responses fall in the same second (a weak date, RFC 9110 8.8.2.2).
 */
export const worldStart = 1_704_067_200_000;

const identifier = 'app';
const hour = 60 * 60 * 1000;
const hasher = createNodeTestHasher();

/** A world with one server at {@link origin}, a `/downloads` directory and the app's session open. */
export interface FaultWorld {
  readonly world: World;
  readonly server: SimServer;
  readonly session: Session;
}

/**
 * Builds a {@link FaultWorld}. Backoff is 1 s to 10 s, so a counted retry waits a visible while on
 * the virtual clock and a free restart does not. Resume data lives 10 minutes, so the bytes a
 * failed download's resume data owns are gone (#9) before the run settles.
 */
export async function faultWorld(seed: number, configuration: Omit<SessionConfigurationInput, 'identifier'> = {}): Promise<FaultWorld> {
  const world = createWorld({ seed, start: worldStart });
  const server = world.server(origin);
  await world.disk.fs.mkdir('/downloads');
  await world.disk.fs.fsyncDir('/');
  const session = await world.openSession({ identifier, configuration: { retry: { base: 1000, cap: 10_000 }, resumeDataLifetime: 10 * 60 * 1000, ...configuration } });
  return { world, server, session };
}

/** Where a download of `path` lands: `/downloads` and the path's last segment. */
export function destinationOf(path: string): string {
  return `/downloads/${path.slice(path.lastIndexOf('/') + 1)}`;
}

/** Starts a download of `origin + path` to {@link destinationOf}(`path`), or of `url` when given. */
export function download(fault: FaultWorld, path: string, options: { readonly integrity?: string; readonly url?: string } = {}): Promise<Task> {
  return fault.session.download({
    url: options.url ?? `${origin}${path}`,
    destination: { type: 'path', path: destinationOf(path), ifExists: 'fail' },
    ...(options.integrity === undefined ? {} : { integrity: options.integrity }),
  });
}

/** How a task ended, as the app and its store saw it. */
export interface Ending {
  /** The task's record as its end commit left it in the store (restart reason, attempts spent...). */
  readonly record: TaskRecord;
  /** The durable events the app received for the task: type, and the error code of a taskDidComplete. */
  readonly delivered: readonly (readonly [string, string | null])[];
  /** The invariants the whole run broke (every task had time to end), one line each. */
  readonly violations: readonly string[];
}

/**
 * Runs the world until the task's end is committed and then reads the task's record from the store
 * (the record is removed once the app acknowledges the end, so the process is killed as it is about
 * to deliver the first terminal event, and another process opens the store as a relaunch would).
 * The app is then relaunched and receives its events; the run's invariants are checked settled.
 */
export async function runToEnd(fault: FaultWorld, task: Task): Promise<Ending> {
  const { world } = fault;
  world.schedule([{ type: 'kill', point: 'event-delivery', pass: 1, relaunchAfter: null }]);
  await world.runUntilIdle({ limit: hour });
  if (world.running) throw new Error(`the task never ended within an hour of virtual time:\n${world.trace.format(40)}`);
  const record = await storedTask(world, task.taskIdentifier);
  await world.relaunch();
  await world.runUntilIdle({ limit: hour });
  const delivered = world.trace
    .ofKind('delivered')
    .filter((entry) => entry.taskIdentifier === task.taskIdentifier)
    .map((entry) => [entry.type, entry.error] as const);
  const violations = world.violations({ settled: true }).map((violation) => `#${violation.invariant}: ${violation.message}`);
  return { record, delivered, violations };
}

/** The task's record as the store holds it now (the app's process must be dead: it holds the lock). */
async function storedTask(world: World, taskIdentifier: number): Promise<TaskRecord> {
  const reader = world.disk.spawn();
  const store = createJournalStore({ fs: reader.fs, directory: `/sessions/${sessionDirectoryName(identifier)}/store` });
  try {
    const contents = await store.open();
    const decoded = decodeTaskRecord(contents.records.get('tasks')?.get(String(taskIdentifier)));
    if (decoded._tag === 'Left') throw new Error(`task ${taskIdentifier} is not in the store:\n${world.trace.format(40)}`);
    return decoded.right;
  } finally {
    await store.close();
    reader.kill();
  }
}

/** `sha256-<base64>` of the bytes (an `integrity` value), or `missing` for no file. */
export function digest(bytes: Uint8Array | null): string {
  if (bytes === null) return 'missing';
  const state = hasher.create();
  state.update(bytes);
  return state.digest();
}

/** The requests the server received for `path`, in order. */
export function requestsTo(server: SimServer, path: string): readonly ServerRequestRecord[] {
  return server.requests.filter((request) => request.path === path);
}

/** The Range header of each request for `path` (null where none was sent). */
export function rangesTo(server: SimServer, path: string): readonly (string | null)[] {
  return requestsTo(server, path).map((request) => request.headers['range'] ?? null);
}

/** Response body bytes the server delivered for `path`, over every request. */
export function bytesServed(server: SimServer, path: string): number {
  return requestsTo(server, path).reduce((sum, request) => sum + request.bytesSent, 0);
}

/**
 * How many times the task's partial file was started again from byte 0 after bytes were kept, as
 * the store's commits in the trace show it (a checkpoint back to 0 after a positive one).
 */
export function rewritesFromZero(world: World, taskIdentifier: number): number {
  let kept = false;
  let rewrites = 0;
  for (const commit of world.trace.ofKind('commit')) {
    for (const task of commit.tasks) {
      if (task.taskIdentifier !== taskIdentifier || task.checkpoint === null) continue;
      if (task.checkpoint > 0) kept = true;
      else if (kept) {
        rewrites += 1;
        kept = false;
      }
    }
  }
  return rewrites;
}

/** How many times the task entered `backingOff` (a counted retry's wait), as the store's commits show it. */
export function backoffs(world: World, taskIdentifier: number): number {
  let phase: string | null = null;
  let entered = 0;
  for (const commit of world.trace.ofKind('commit')) {
    for (const task of commit.tasks) {
      if (task.taskIdentifier !== taskIdentifier) continue;
      if (task.phase === 'backingOff' && phase !== 'backingOff') entered += 1;
      phase = task.phase;
    }
  }
  return entered;
}
