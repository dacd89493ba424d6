import type { ScheduledFault } from '@bgsession/simulator';
import { libraryProblems } from './library-problems.js';
import { runLibraryScenario } from './library-scenario.js';

/** The story's schedule: a torn download, a crash between a handler and its acknowledgement, a lost network. */
export const storyFaults: readonly ScheduledFault[] = [
  { type: 'powerLoss', point: 'data-write', pass: 4 },
  { type: 'kill', point: 'handler-returned', pass: 1 },
  { type: 'partition', from: 2500, until: 4500 },
];

/** What {@link tellStory} found: the lines to print, and whether every claim held. */
export interface Story {
  readonly lines: readonly string[];
  readonly ok: boolean;
}

/**
 * Runs the photo library in a world of `seed` under {@link storyFaults}, then the same run with an
 * app that skips the eventId check, and tells what happened: the crashes and relaunches, what the
 * app's database holds, and which claims held.
 *
 * @example
 * ```ts
 * const story = await tellStory(2024);
 * console.log(story.lines.join('\n'));
 * ```
 */
export async function tellStory(seed: number): Promise<Story> {
  const run = await runLibraryScenario({ seed, faults: storyFaults });
  const { world } = run;
  const start = world.trace.entries[0]?.at ?? 0;
  const time = (at: number) => `+${((at - start) / 1000).toFixed(3)} s`;
  const lines: string[] = [
    `The photo library in a simulated world, seed ${seed}: ${run.expected.length} photos to import.`,
    '',
    'Faults scheduled:',
    ...storyFaults.map((fault) => `  ${describeFault(fault)}`),
    '',
    'What happened:',
  ];
  for (const entry of world.trace.entries) {
    if (entry.kind === 'kill' || entry.kind === 'powerLoss') {
      lines.push(`  ${time(entry.at)}  ${entry.kind === 'kill' ? 'kill' : 'power loss'}${entry.point === null ? '' : ` at ${entry.point}`} (process ${entry.generation})`);
    } else if (entry.kind === 'launch' && entry.generation > 1) {
      lines.push(`  ${time(entry.at)}  relaunch (process ${entry.generation})`);
    } else if (entry.kind === 'delivered' && entry.type === 'downloadDidFinish') {
      lines.push(`  ${time(entry.at)}  downloadDidFinish of task ${entry.taskIdentifier}, event ${entry.eventId.slice(0, 8)}`);
    }
  }
  const deliveries = world.trace.ofKind('delivered').filter((entry) => entry.type === 'downloadDidFinish');
  const distinct = new Set(deliveries.map((entry) => entry.eventId)).size;
  lines.push(`  ${deliveries.length} deliveries of ${distinct} distinct downloadDidFinish events: a redelivered one carries the same eventId.`, '', "The app's database:");
  for (const photo of run.contents.photos) lines.push(`  ${photo.name}  ${photo.size.toLocaleString('en-US')} bytes  sha256 ${photo.sha256.slice(0, 16)}…`);
  lines.push(`  ${run.contents.appliedEventIds.length} eventIds applied.`);

  const naive = await runLibraryScenario({ seed, faults: storyFaults, checkEventIds: false });
  const duplicates = naive.contents.photos.length - new Set(naive.contents.photos.map((photo) => photo.name)).size;
  lines.push('', `Without the eventId check, the same run records ${naive.contents.photos.length} rows for ${naive.expected.length} photos (${duplicates} duplicate${duplicates === 1 ? '' : 's'}).`);

  const problems = libraryProblems(run);
  if (problems.length === 0) {
    lines.push(
      '',
      "Every claim held: one record per photo, each the server's bytes; no eventId applied twice;",
      "every acknowledged event in the database; no task left; the world's invariant checks pass.",
    );
  } else {
    lines.push('', 'FAILED:', ...problems.map((problem) => `  ${problem}`), '', `Replay it: pnpm start ${seed}`);
  }
  return { lines, ok: problems.length === 0 };
}

const whyThere: Readonly<Record<string, string>> = {
  'data-write': 'a photo part-way written',
  'handler-returned': 'the app recorded a photo, the session has not yet committed its acknowledgement',
};

function describeFault(fault: ScheduledFault): string {
  const crash = (type: 'kill' | 'powerLoss') => (type === 'kill' ? 'kill' : 'power loss');
  if ((fault.type === 'kill' || fault.type === 'powerLoss') && 'point' in fault) {
    const why = whyThere[fault.point];
    return `${crash(fault.type)} at pass ${fault.pass} of ${fault.point}${why === undefined ? '' : ` (${why})`}`;
  }
  if (fault.type === 'partition') return `no network from +${fault.from / 1000} s to +${fault.until / 1000} s`;
  return JSON.stringify(fault);
}
