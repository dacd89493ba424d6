import type { Clock, Store } from '@bgsession/core';
import { recordingStore } from '../trace/recording-store.js';
import type { Trace } from '../trace/trace.js';
import { plantedInnerStore, plantedOuterStore, type PlantedWorldBugs } from './planted-bugs.js';
import { taskCommitRecorder } from './task-commit-recorder.js';
import type { WorldLog } from './world-log.js';

/**
 * A session's Store as the world gives it: the journal, under the planted bugs that act below the
 * records (dropped operations), the log of due times and the trace's commits, then the planted bugs
 * that act above them (late events). Without planted bugs, only the recording is added.
 *
 * @example
 * ```ts
 * const store = worldStore(journal, { planted: {}, trace, log, session: 'app', clock, generation: () => 1 });
 * ```
 */
export function worldStore(
  journal: Store,
  context: { readonly planted: PlantedWorldBugs; readonly trace: Trace; readonly log: WorldLog; readonly session: string; readonly clock: Clock; readonly generation: () => number },
): Store {
  const recorded = recordingStore(plantedInnerStore(journal, context.planted), context.trace, context.session, taskCommitRecorder(context));
  return plantedOuterStore(recorded, context.planted);
}
