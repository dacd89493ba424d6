import type { CrashPoint, HostOptions, JournalCompactionOptions, Session, SessionConfigurationInput, SessionListener } from '@bgsession/core';
import type { VirtualClock } from '../clock/virtual-clock.js';
import type { LossyDisk, LossyDiskOptions } from '../disk/lossy-disk.js';
import type { Violation } from '../invariants/invariant-sentences.js';
import type { SimNetwork, SimNetworkOptions } from '../network/sim-network.js';
import type { SimTransportOptions } from '../network/sim-transport.js';
import type { SimulatorRandom } from '../random/simulator-random.js';
import type { SimServer } from '../servers/sim-server.js';
import type { Trace } from '../trace/trace.js';
import type { PlantedWorldBugs } from './planted-bugs.js';
import type { WorldLog } from './world-log.js';

/** Options of `createWorld`. */
export interface WorldOptions {
  /** Everything random in the world is drawn from this seed: the same seed, the same run. */
  readonly seed: number;
  /** The wall clock at the start, ms since the epoch. */
  readonly start?: number;
  /** The network's options besides its clock and randomness (bandwidth, initial state...). */
  readonly network?: Omit<SimNetworkOptions, 'clock' | 'random'>;
  /** The disk's options besides its randomness (sector fates, capacity, planted bugs...). */
  readonly disk?: Omit<LossyDiskOptions, 'random' | 'clock'>;
  /** TEST-ONLY: bugs planted in the session's ports, to show a property catches them. */
  readonly planted?: PlantedWorldBugs;
  /**
   * Whether the world keeps a copy of every file it sees delivered, for the check of #6 (default
   * true). A long run that moves many GiB and does not check #6 sets false.
   */
  readonly keepDeliveredFiles?: boolean;
}

/** How the world opens a session: what `openSession` of a real host takes, on simulated ports. */
export interface WorldSessionOptions {
  readonly identifier: string;
  /**
   * The app's listener, in the world's process: called only while it runs. Without one, an app
   * that acknowledges every event by returning is assumed.
   */
  readonly listener?: SessionListener;
  readonly durability?: HostOptions['durability'];
  readonly credentials?: HostOptions['credentials'];
  /** The session configuration without its identifier: persisted, replaces the stored one. */
  readonly configuration?: Omit<SessionConfigurationInput, 'identifier'>;
  /** The transport's capabilities and limits (e.g. `browserFetchCapabilities` to play a browser). */
  readonly transport?: SimTransportOptions;
  /** When the journal Store compacts (its defaults otherwise): small values make compactions, and their crash points, frequent. */
  readonly compaction?: JournalCompactionOptions;
}

/**
 * One scheduled fault. Times are virtual ms since the world was created (its monotonic clock).
 * A kill or power loss is followed by a relaunch `relaunchAfter` ms later (default 1,000; null:
 * the test relaunches itself).
 */
export type ScheduledFault =
  | { readonly type: 'kill' | 'powerLoss'; readonly at: number; readonly relaunchAfter?: number | null }
  | { readonly type: 'kill' | 'powerLoss'; readonly point: CrashPoint; readonly pass: number; readonly relaunchAfter?: number | null }
  | { readonly type: 'partition'; readonly from: number; readonly until: number }
  | { readonly type: 'expensive' | 'constrained'; readonly from: number; readonly until: number }
  | { readonly type: 'diskFull'; readonly from: number; readonly until: number | null }
  | { readonly type: 'suspend'; readonly from: number; readonly until: number }
  | { readonly type: 'clockJump'; readonly at: number; readonly by: number };

/** A simulated machine with its network, servers, disk and one app process. */
export interface World {
  readonly seed: number;
  readonly clock: VirtualClock;
  readonly random: SimulatorRandom;
  readonly disk: LossyDisk;
  readonly network: SimNetwork;
  /** Everything that happened, for the invariant checkers and for a failing test's message. */
  readonly trace: Trace;
  /** Attempts on the wire, deliveries with their files, crashes with the partial files they cut. */
  readonly log: WorldLog;
  /** 1 for the first process, +1 at each relaunch. */
  readonly generation: number;
  /** Whether a process runs now (false between a kill or power loss and the relaunch). */
  readonly running: boolean;
  /** How many times each crash point was passed, over every process. */
  readonly crashPointCounts: Readonly<Record<CrashPoint, number>>;
  /** A server answering at `origin` (e.g. `https://files.example`); scripted through its API. */
  server(origin: string | readonly string[]): SimServer;
  /**
   * Opens a session in the running process; it is reopened by each relaunch. Once its `close()`
   * resolves, the process no longer holds it and it may be opened again (a relaunch still reopens
   * it, as an app's launch would). Rejects with a `BgSessionError` (`StoreFailed`) when the process
   * dies during the open (a crash point striking there).
   */
  openSession(options: WorldSessionOptions): Promise<Session>;
  /** The session of that identifier in the running process. */
  session(identifier: string): Session | undefined;
  /** Moves virtual time forward `ms`, running everything due. */
  advance(ms: number): Promise<void>;
  /**
   * Runs until nothing is left to do: no timer pending in the world (each wait is skipped to its
   * end), or `limit` virtual ms passed (default 30 days). Resolves with the virtual ms it ran.
   */
  runUntilIdle(options?: { readonly limit?: number; readonly until?: () => boolean }): Promise<number>;
  /** Kills the app process as SIGKILL does: the OS's cache survives. */
  kill(): void;
  /** Cuts the power: every unsynced write is kept, dropped or garbled; the boot identity changes. */
  powerLoss(): void;
  /** Suspends the app process: time passes, nothing of it runs. */
  suspend(): void;
  resume(): void;
  /**
   * Starts a new process and reopens every session the world had opened, with the options of its
   * last `openSession`. Rejects with a `BgSessionError` (`StoreFailed`) when the new process dies
   * during the reopen (a crash point striking there); a fault's own relaunch then follows as scheduled.
   */
  relaunch(): Promise<readonly Session[]>;
  /**
   * Adds faults to the schedule. Returns the crash-point counts at this
   * moment: a point fault's `pass` counts from them (`pass: 1` is the next pass after the call),
   * so `counts[point] + pass` is the value of `crashPointCounts[point]` at which it strikes.
   */
  schedule(faults: readonly ScheduledFault[]): Readonly<Record<CrashPoint, number>>;
  /** The tasks each session holds now. */
  liveTasks(): ReadonlyMap<string, ReadonlySet<number>>;
  /** The invariants the trace and log can show broken: #1-#12 and #14 (`settled`: every task had time to end). */
  violations(options?: { readonly settled?: boolean }): readonly Violation[];
}
