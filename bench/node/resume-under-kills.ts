import type { ChildProcess } from 'node:child_process';
import { fileSha256 } from './file-sha256.js';
import type { KillSwitch } from './kill-switch.js';
import type { RangeFileServer } from './range-file-server.js';

/** A downloader B4 can launch, kill and launch again. */
export interface ResumableDownloader {
  readonly name: string;
  /** Where its file ends up. */
  readonly destination: string;
  /** Removes what a previous run left (the file, a session). */
  reset(): void;
  /** One launch: resolves when the process is gone; `onSpawn` gets the process to kill. */
  launch(onSpawn: (child: ChildProcess) => void): Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly output: string }>;
}

/** What one download under the kill schedule did. */
export interface ResumeRun {
  readonly name: string;
  readonly launches: number;
  readonly kills: number;
  /** Body bytes the server handed to sockets, over every launch. */
  readonly bytesSent: number;
  readonly requests: number;
  /** Requests that asked for a range (the resumes). */
  readonly rangeRequests: number;
  /** Of those, how many carried If-Range. */
  readonly ifRangeRequests: number;
  /** Requests answered with the whole body after the first (a restart from 0). */
  readonly restarts: number;
  readonly sha256Ok: boolean;
  /** At each kill, the bytes handed out that the next request asked for again (the waste of that kill). */
  readonly lostPerKill: readonly number[];
}

/**
 * Runs one download under a kill schedule: launches the downloader, lets the kill switch SIGKILL
 * it at each offset of the schedule, relaunches it each time, and lets the last launch finish.
 * Then reads what the server sent and whether the file's sha256 is the content's.
 *
 * @example
 * ```ts
 * killSwitch.arm(killSchedule(size, 10, seed));
 * const run = await downloadUnderKills(curl, server, killSwitch, contentSha);
 * run.bytesSent / size; // 1.016
 * ```
 */
export async function downloadUnderKills(downloader: ResumableDownloader, server: RangeFileServer, killSwitch: KillSwitch, contentSha: string, plannedKills: number): Promise<ResumeRun> {
  downloader.reset();
  server.reset();
  let launches = 0;
  for (;;) {
    launches += 1;
    if (launches > plannedKills + 3) throw new Error(`${downloader.name}: more launches than the schedule has kills`);
    const killsBefore = killSwitch.kills();
    const exit = await downloader.launch((child) => killSwitch.target(() => child.kill('SIGKILL')));
    killSwitch.target(null);
    if (killSwitch.kills() > killsBefore && exit.signal === 'SIGKILL') continue;
    if (exit.code !== 0) throw new Error(`${downloader.name}: launch ${launches} failed (${exit.signal ?? `exit ${String(exit.code)}`}): ${exit.output.slice(-2000)}`);
    break;
  }
  const responses = server.responses;
  const sha = await fileSha256(downloader.destination);
  return {
    name: downloader.name,
    launches,
    kills: killSwitch.kills(),
    bytesSent: server.bytesSent(),
    requests: responses.length,
    rangeRequests: responses.filter((r) => r.range !== null).length,
    ifRangeRequests: responses.filter((r) => r.range !== null && r.ifRange !== null).length,
    restarts: responses.slice(1).filter((r) => r.status === 200).length,
    sha256Ok: sha === contentSha,
    lostPerKill: responses.slice(1).map((next, i) => {
      const killed = responses[i];
      return killed === undefined ? 0 : killed.start + killed.bytesWritten - (next.status === 206 ? next.start : 0);
    }),
  };
}
