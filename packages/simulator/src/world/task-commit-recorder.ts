import type { Clock } from '@bgsession/core';
import type { CommittedTaskFields } from '../trace/committed-task-fields.js';
import type { WorldLog } from './world-log.js';

/**
 * What puts every task record a resolved commit wrote into the world's log, with its phase and
 * persisted due time (invariant #12 reads them), and keeps each task's part key (#7 and #9 read
 * it). Given to `recordingStore`, which decodes each record once for the trace and for this.
 *
 * @example
 * ```ts
 * const store = recordingStore(journal, trace, 'app', taskCommitRecorder({ log, session: 'app', clock, generation: () => 1 }));
 * ```
 */
export function taskCommitRecorder(context: { readonly log: WorldLog; readonly session: string; readonly clock: Clock; readonly generation: () => number }): (record: CommittedTaskFields) => void {
  const { log, clock } = context;
  return (record) => {
    log.partKeys.set(`${context.session}#${record.taskIdentifier}`, record.partKey);
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
  };
}
