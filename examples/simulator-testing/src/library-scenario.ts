import { createHash } from 'node:crypto';
import { isBgSessionError, type CrashPoint } from '@bgsession/core';
import { createWorld, generatedContent, type ScheduledFault, type World } from '@bgsession/simulator';
import { decodeLibraryContents, emptyLibrary, type LibraryContents } from './library-contents.js';
import { openPhotoLibrary, photoLibraryIdentifier } from './photo-library.js';

const KiB = 1024;
const day = 24 * 60 * 60 * 1000;

/** A photo the server holds: what the library must end up recording for it. */
export interface ExpectedPhoto {
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
}

/** Options of {@link runLibraryScenario}. */
export interface LibraryScenarioOptions {
  /** The world's seed: photo sizes and bytes, and every random choice of the run. */
  readonly seed: number;
  /** Scheduled once the imports are enqueued; times are virtual ms since the world was created. */
  readonly faults?: readonly ScheduledFault[];
  /** How many photos to import (default 3). */
  readonly photos?: number;
  /** See `PhotoLibraryOptions.checkEventIds` (default true). */
  readonly checkEventIds?: boolean;
}

/** A finished run: the world to inspect, what the server held and what the app's database says. */
export interface LibraryRun {
  readonly world: World;
  readonly directory: string;
  readonly expected: readonly ExpectedPhoto[];
  readonly contents: LibraryContents;
  /**
   * How often each crash point had been passed when the faults were scheduled (opening the
   * session and creating the tasks pass some): a fault's `pass` counts from there.
   */
  readonly passesBeforeFaults: Readonly<Record<CrashPoint, number>>;
  /** How many times the app restarted because its session was not open or its store had failed. */
  readonly appRestarts: number;
}

/**
 * Builds a world whose server holds a few photos, opens the photo library in it, imports every
 * photo, schedules `faults` and runs until nothing is left to do (at most a virtual day).
 *
 * @example
 * ```ts
 * const run = await runLibraryScenario({ seed: 7, faults: [{ type: 'kill', point: 'handler-returned', pass: 1 }] });
 * console.log(run.contents.photos.length); // 3
 * ```
 */
export async function runLibraryScenario(options: LibraryScenarioOptions): Promise<LibraryRun> {
  const { seed } = options;
  const world = createWorld({ seed });
  const server = world.server('https://photos.example');
  world.network.configureHost('photos.example', { latency: 40, bandwidth: 1024 * KiB });
  const expected: ExpectedPhoto[] = [];
  for (let index = 0; index < (options.photos ?? 3); index += 1) {
    const name = `photo-${index + 1}.jpg`;
    // 96 to 480 KiB: a few chunks each, so a kill can fall in the middle of a photo.
    const content = generatedContent({ seed: seed * 31 + index, length: (96 + ((seed + index * 7) % 5) * 96) * KiB + index * 101 });
    server.file(`/${name}`, { content });
    expected.push({ name, size: content.length, sha256: createHash('sha256').update(content.read(0, content.length)).digest('hex') });
  }

  const library = await openPhotoLibrary({
    openSession: (sessionOptions) => world.openSession({ ...sessionOptions, configuration: { retry: { base: 1000, cap: 10_000 } } }),
    fileSystem: () => world.disk.fs,
    ...(options.checkEventIds === undefined ? {} : { checkEventIds: options.checkEventIds }),
  });
  for (const photo of expected) await library.importPhoto(photo.name, `https://photos.example/${photo.name}`);
  const passesBeforeFaults = world.crashPointCounts;
  world.schedule(options.faults ?? []);
  // A full disk fails the session's store: a relaunch then cannot reopen the session, and an open
  // session enters the failed-store state (every call rejects with StoreFailed until it is
  // reopened). Nothing in the world tries again; the app does, by restarting, as a real app would.
  let appRestarts = 0;
  for (let round = 0; round < 6; round += 1) {
    // A virtual day is far more than the imports need, whatever the faults: it is skipped, not waited.
    await world.runUntilIdle({ limit: day });
    const crashes = crashCount(world);
    const restart = await needsRestart(world);
    if (restart === true) {
      appRestarts += 1;
      // Not awaited: a fault at a crash point passed while reopening kills the new process, and
      // then its reopening never settles. The next runUntilIdle carries on from whatever happened.
      void world.relaunch().catch(() => undefined);
    } else if (restart === false && crashCount(world) === crashes) {
      break;
    }
    // Else the check itself passed a crash point whose fault had not struck yet: run the relaunch.
  }

  // The test's view of the disk: what a process opening the database now would read.
  const bytes = world.disk.readFile(`${library.directory}/library.json`);
  const contents = bytes === null ? emptyLibrary : decodeLibraryContents(bytes);
  return { world, directory: library.directory, expected, contents, passesBeforeFaults, appRestarts };
}

/**
 * Whether the app must restart to get a working session: none is open, or its store failed. Null
 * when the process died during the check (a fault at a crash point the check passed).
 */
async function needsRestart(world: World): Promise<boolean | null> {
  const session = world.session(photoLibraryIdentifier);
  if (!world.running || session === undefined) return true;
  // Any call answers StoreFailed in the failed-store state; acknowledging an unknown id changes
  // nothing otherwise. Not awaited as such: in a process killed meanwhile it would never settle.
  let answer: boolean | null = null;
  void session.acknowledge('health-check').then(
    () => (answer = false),
    (error: unknown) => (answer = isBgSessionError(error, 'StoreFailed')),
  );
  await world.clock.settle();
  return answer;
}

function crashCount(world: World): number {
  return world.trace.entries.filter((entry) => entry.kind === 'kill' || entry.kind === 'powerLoss').length;
}
