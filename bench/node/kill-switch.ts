import type { ChunkVerdict, ServedResponse } from './range-file-server.js';

/** Kills the running launch when the server reaches the next offset of the schedule. */
export interface KillSwitch {
  /** Starts a schedule: offsets in the file, ascending. */
  arm(points: readonly number[]): void;
  /** The running launch's kill, or null between launches. */
  target(kill: (() => void) | null): void;
  /** How many kills have happened since `arm`. */
  kills(): number;
  /** The server's `onChunk`: past the next offset, kill the launch and drop the connection. */
  onChunk(served: ServedResponse): ChunkVerdict;
}

/**
 * The switch B4's server asks after every chunk it hands to a socket. Once the byte at the next
 * offset of the schedule is out, it sends SIGKILL to the launch and tells the server to drop the
 * connection at once, so no byte is counted after the kill.
 *
 * @example
 * ```ts
 * const killSwitch = createKillSwitch();
 * const server = await startRangeFileServer({ content, bytesPerSecond: 40e6, onChunk: killSwitch.onChunk });
 * killSwitch.arm(killSchedule(content.length, 10, 1));
 * ```
 */
export function createKillSwitch(): KillSwitch {
  let points: readonly number[] = [];
  let next = 0;
  let kill: (() => void) | null = null;
  return {
    arm: (schedule) => {
      points = schedule;
      next = 0;
    },
    target: (launchKill) => void (kill = launchKill),
    kills: () => next,
    onChunk: (served) => {
      const point = points[next];
      if (point === undefined || kill === null || served.start + served.bytesWritten < point) return 'continue';
      kill();
      kill = null;
      next += 1;
      return 'cut';
    },
  };
}
