import type { Clock } from '@bgsession/core';

/** Prints the story's lines, each stamped with the virtual time since the story began. */
export interface StoryLog {
  /** A line at the current virtual time. */
  at(text: string): void;
  /** A line with no time: a detail of the line above. */
  plain(text: string): void;
  /** A line from the left margin. */
  heading(text: string): void;
  /** Seconds of virtual time since the start, as printed (`t+1.250s`). */
  stamp(): string;
  /** Milliseconds of virtual time since the start. */
  elapsed(): number;
}

/**
 * Creates a {@link StoryLog} on `clock`'s monotonic time, writing with `write` (console.log by
 * default).
 *
 * @example
 * ```ts
 * const log = createStoryLog(host.clock);
 * log.at('session opened'); // "t+0.000s  session opened"
 * ```
 */
export function createStoryLog(clock: Clock, write: (line: string) => void = (line) => console.log(line)): StoryLog {
  const start = clock.monotonic();
  const elapsed = () => clock.monotonic() - start;
  const stamp = () => `t+${(elapsed() / 1000).toFixed(3)}s`;
  return {
    at: (text) => write(`${stamp().padEnd(10)} ${text}`),
    plain: (text) => write(`${' '.repeat(11)}${text}`),
    heading: (text) => write(text),
    stamp,
    elapsed,
  };
}
