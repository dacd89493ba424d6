import type { HeaderMap, NetworkState } from '@bgsession/core';

/** One attempt as the world's transport carried it, for the byte and scheduling checkers. */
export interface AttemptRecord {
  /** The log step at which it started (every record of the log shares one counter). */
  readonly step: number;
  readonly session: string;
  /** The task it carried (every hop of a redirect chain carries the same one). */
  readonly taskIdentifier: number;
  /** The world's process generation that made it. */
  readonly generation: number;
  /** The wall clock when it started, ms. */
  readonly at: number;
  /** The wall clock minus the monotonic one then: it drops when the wall clock jumps back. */
  readonly wallOffset: number;
  readonly url: string;
  readonly method: string;
  /** The network as it really was when the attempt started (whatever the session was told), or null when unknown. */
  readonly network: NetworkState | null;
  /** `URL.origin` of the request. */
  readonly origin: string;
  /** The request's headers as sent (lower-case names). */
  readonly headers: HeaderMap;
  /** The response's status and headers, and the wall clock when its head arrived. */
  response: { readonly status: number; readonly headers: HeaderMap; readonly at: number } | null;
  /** The log step at which it ended (head refused, body done, failed, released or aborted), or null. */
  endStep: number | null;
  /** The monotonic clock when it ended, ms, or null. */
  endMonotonic: number | null;
  /**
   * For each network change during the attempt, the first moment after it that the attempt moved
   * bytes while its process ran (its response head or a body chunk arrived, or the transport asked
   * its request body for more): the moments #15 needs, one per change at most.
   */
  readonly movedAfterChange: { readonly step: number; readonly monotonic: number }[];
}

/** A change of the network's state, logged before any session hears it. */
export interface NetworkChangeRecord {
  readonly step: number;
  /** The monotonic clock then, ms. */
  readonly monotonic: number;
  readonly state: NetworkState;
}

/** A `downloadDidFinish` as the app received it, with the file it pointed to at that moment. */
export interface DeliveryRecord {
  readonly step: number;
  readonly session: string;
  readonly taskIdentifier: number;
  readonly eventId: string;
  readonly location: string;
  /** A copy of the file at `location` when the event was delivered, or null when there was none. */
  readonly bytes: Uint8Array | null;
}

/** A task record as a resolved commit wrote it, with what #12 needs: its due time. */
export interface CommitRecord {
  readonly step: number;
  readonly session: string;
  readonly generation: number;
  /** The wall clock when the commit resolved, ms. */
  readonly at: number;
  /** The wall clock minus the monotonic one then. */
  readonly wallOffset: number;
  readonly taskIdentifier: number;
  readonly phase: string;
  /** The record's persisted due time (wall ms), or null. */
  readonly dueAt: number | null;
}

/** A kill or power loss, with each live download's partial file length at that moment. */
export interface CrashRecord {
  readonly step: number;
  readonly type: 'kill' | 'powerLoss';
  /** The process generation that died. */
  readonly generation: number;
  /** Partial file lengths (bytes in the OS's cache) of each live task, by session then task identifier. */
  readonly parts: ReadonlyMap<string, ReadonlyMap<number, number>>;
}

/**
 * What the world saw besides its trace: attempts on the wire, deliveries with their files,
 * crashes with the partial files they interrupted, the due times commits made durable, and the
 * network's changes. All records share one step counter, so their order across lists is known.
 */
export class WorldLog {
  private steps = 0;
  readonly attempts: AttemptRecord[] = [];
  readonly deliveries: DeliveryRecord[] = [];
  readonly crashes: CrashRecord[] = [];
  readonly commits: CommitRecord[] = [];
  readonly networkChanges: NetworkChangeRecord[] = [];
  /** The part key each task's last committed record named (null for a data or upload task), by `session#taskIdentifier`. */
  readonly partKeys = new Map<string, string | null>();

  /** The part key of a task's partial bytes: its last committed record's, or its own `part-<id>` before any commit. */
  partKeyOf(session: string, taskIdentifier: number): string | null {
    const key = `${session}#${taskIdentifier}`;
    return this.partKeys.has(key) ? (this.partKeys.get(key) ?? null) : `part-${taskIdentifier}`;
  }

  /** The next step number. */
  step(): number {
    this.steps += 1;
    return this.steps;
  }
}
