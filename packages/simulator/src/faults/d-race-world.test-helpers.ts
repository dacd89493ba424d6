import type { Session } from '@bgsession/core';
import type fc from 'fast-check';
import { expect } from 'vitest';
import { sameBytes } from '../invariants/content-bytes.js';
import { invariantTitle, type InvariantNumber } from '../invariants/invariant-sentences.js';
import { generatedContent } from '../servers/generated-content.js';
import type { SimContent } from '../servers/sim-content.js';
import type { SimServer } from '../servers/sim-server.js';
import { createWorld } from '../world/create-world.js';
import type { PlantedWorldBugs } from '../world/planted-bugs.js';
import type { World } from '../world/world-types.js';
import { recordingApp, type RecordingApp } from './d-recording-app.test-helpers.js';
import { driveWorld, scheduleNetwork, type BodyPiece } from './d-scheduled-world.test-helpers.js';

const KiB = 1024;
const origin = 'https://files.example';
/** The file the race worlds serve. */
export const url = `${origin}/race.bin`;
/** Where the app downloads it. */
export const destination = '/downloads/race.bin';
/** 8 pieces of 64 KiB, one every 500 virtual ms: the race is over the last ones. */
export const raceSize = 512 * KiB;

/** A world of the D24 races, its app, and the file it serves. */
export interface RaceWorld {
  readonly world: World;
  readonly server: SimServer;
  readonly content: SimContent;
  readonly app: RecordingApp;
  readonly session: Session;
}

/** Options of {@link raceWorld}. */
export interface RaceWorldOptions {
  readonly seed: number;
  readonly s: fc.Scheduler;
  readonly planted?: PlantedWorldBugs | undefined;
  /** Told of each head, piece and end the network hands the session, as it is scheduled. */
  readonly onPiece?: (piece: BodyPiece) => void;
  /** The planted app bug of {@link recordingApp}. */
  readonly acknowledgesFirst?: boolean;
}

/**
 * A world serving one 512 KiB file with a strong ETag at 128 KiB/s, its network scheduled by `s`
 * (see `scheduleNetwork`), and the session `app` open with a recording app whose work on each
 * event is scheduled by `s` too.
 */
export async function raceWorld(options: RaceWorldOptions): Promise<RaceWorld> {
  const world = createWorld({ seed: options.seed, ...(options.planted === undefined ? {} : { planted: options.planted }) });
  const content = generatedContent({ seed: options.seed, length: raceSize });
  const server = world.server(origin);
  server.file('/race.bin', { content });
  world.network.configureHost('files.example', { latency: 20, bandwidth: 128 * KiB });
  scheduleNetwork(world, options.s, options.onPiece);
  await world.disk.fs.mkdir('/downloads');
  await world.disk.fs.fsyncDir('/');
  const app = recordingApp(world, { session: 'app', scheduler: options.s, ...(options.acknowledgesFirst === undefined ? {} : { acknowledgesFirst: options.acknowledgesFirst }) });
  const session = await world.openSession({ identifier: 'app', listener: app.listener, configuration: { retry: { base: 1000, cap: 10_000 } } });
  return { world, server, content, app, session };
}

/** Whether the world's file at `path` is `content`, byte for byte. */
export function holdsContent(world: World, path: string, content: SimContent): boolean {
  const file = world.disk.readFile(path);
  return file !== null && sameBytes(file, content);
}

/** Asserts the world broke none of `invariants`, with the seed and the trace's tail on failure. */
export function expectInvariants(world: World, invariants: readonly InvariantNumber[], settled: boolean, context = ''): void {
  const violations = world.violations({ settled }).filter((violation) => invariants.includes(violation.invariant));
  expect(violations.map((violation) => `${invariantTitle(violation.invariant)}: ${violation.message}`), `seed ${world.seed} ${context}\n${world.trace.format(60)}`).toEqual([]);
}

/** What a failing run prints: the world's seed, the drawn values and the order the scheduler chose. */
export function described(world: World, s: fc.Scheduler, drawn: Record<string, unknown>): string {
  return `seed ${world.seed} ${JSON.stringify(drawn)}\n${s.report().map((item) => `${item.label} ${item.status}`).join('\n')}`;
}

/** Relaunches the world once everything was acknowledged: nothing may be delivered again, and no task kept. */
export async function expectQuietRelaunch(world: World, s: fc.Scheduler, context: string): Promise<void> {
  const delivered = world.trace.ofKind('delivered').length;
  await world.relaunch();
  await driveWorld(world, s, { until: () => false, limit: 60_000 });
  expect(world.trace.ofKind('delivered').length, context).toBe(delivered);
  expect(world.session('app')?.tasks(), context).toEqual([]);
}

export { settled, type Settled } from './d-scheduled-world.test-helpers.js';

/** The eventIds delivered to the world's listeners, counted (from the trace). */
export function deliveredCounts(world: World): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of world.trace.ofKind('delivered')) counts.set(entry.eventId, (counts.get(entry.eventId) ?? 0) + 1);
  return counts;
}
