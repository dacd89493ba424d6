import { decodeTaskRecord, type Clock, type Store } from '@bgsession/core';
import type { WorldLog } from './world-log.js';

/**
 * Wraps a session's Store so that every task record a resolved commit wrote lands in the world's
 * log with its phase and persisted due time (invariant #12 reads them).
 *
 * @example
 * ```ts
 * const store = recordingTaskCommits(journal, { log, session: 'app', clock, generation: () => 1 });
 * ```
 */
export function recordingTaskCommits(store: Store, context: { readonly log: WorldLog; readonly session: string; readonly clock: Clock; readonly generation: () => number }): Store {
  const { log, clock } = context;
  return {
    capabilities: store.capabilities,
    open: () => store.open(),
    close: () => store.close(),
    async commit(batch) {
      await store.commit(batch);
      for (const operation of batch.operations) {
        if (operation.collection !== 'tasks' || operation.type !== 'put') continue;
        const decoded = decodeTaskRecord(operation.value);
        if (decoded._tag === 'Left') continue;
        const record = decoded.right;
        log.commits.push({
          step: log.step(),
          session: context.session,
          generation: context.generation(),
          at: clock.now(),
          wallOffset: clock.now() - clock.monotonic(),
          taskIdentifier: record.taskIdentifier,
          phase: record.phase,
          dueAt: record.dueAt,
        });
      }
    },
  };
}
