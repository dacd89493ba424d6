import type { CrashWorkload } from './crash-run.test-helpers.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** The files of {@link crashWorkload}, by key: two large enough for a few hundred data writes, eight small ones. */
export const crashFiles: Readonly<Record<string, number>> = {
  'big-a': 3 * MiB,
  'big-b': 2 * MiB,
  ...Object.fromEntries(Array.from({ length: 8 }, (_, index) => [`small-${index}`, 16 * KiB])),
};

/**
 * The app the crash tests kill: ten downloads and one POST. With a checkpoint every 32 KiB and a
 * 16 KiB `taskDescription` stored with each download, one clean launch makes 100 to 200 journal
 * appends of about 17 KiB and passes the 1 MiB at which the journal is compacted once or more, so
 * every crash point is reached.
 *
 * @example
 * ```ts
 * const server = await startCrashFileServer({ files: crashFiles, bytesPerSecond: crashBytesPerSecond, postDelayMs: 100 });
 * await runCrashScenario({ server, workload: crashWorkload, ... });
 * ```
 */
export const crashWorkload: CrashWorkload = {
  downloads: Object.keys(crashFiles),
  posts: [{ key: 'post-1', bodyBytes: 4 * KiB }],
  checkpointBytes: 32 * KiB,
  descriptionBytes: 16 * KiB,
};

/** Each response's pace: the large files take a few hundred ms, so random moments land mid-body. */
export const crashBytesPerSecond = 8 * MiB;
