import type { SimContent } from '../servers/sim-content.js';
import type { SimResource } from '../servers/sim-resource.js';
import type { AttemptRecord, CommitRecord, CrashRecord, DeliveryRecord } from '../world/world-log.js';
import type { TaskEventsInput } from './tasks-and-events.js';

/** A file a world's server serves: its URL (without query), its resource, and its first version. */
export interface ServedFile {
  readonly url: string;
  readonly resource: SimResource;
  readonly first: SimContent;
}

/** The limits a session's app configured (defaults filled in). */
export interface SessionLimits {
  readonly maxConnectionsPerHost: number;
  readonly maxConcurrentTasks: number;
  readonly timeoutForResource: number;
  /** The retry policy's cap, ms. */
  readonly retryCap: number;
}

/** What the checkers of bytes and scheduling read: the trace, the world's log, the served files. */
export interface WorldCheckInput extends TaskEventsInput {
  readonly log: {
    readonly attempts: readonly AttemptRecord[];
    readonly deliveries: readonly DeliveryRecord[];
    readonly crashes: readonly CrashRecord[];
    readonly commits: readonly CommitRecord[];
  };
  readonly served: readonly ServedFile[];
  /** Each session's configured limits (the app's configuration, whatever ran). */
  readonly limits: ReadonlyMap<string, SessionLimits>;
  /** The length of the partial file under a part key (a task's `part-<id>`, see `CommittedTask.partKey`) now, or null when there is none. */
  readonly readPart: (session: string, partKey: string) => number | null;
}
