import fc from 'fast-check';
import { plainRecord } from './plain-record.js';
import { restartReasons, taskKinds, taskPhases, waitReasons, type TaskKind, type TaskPhase, type TaskRecord } from '@bgsession/core';
import { checkpointArbitrary } from './checkpoint-arbitrary.js';
import { httpRequestArbitrary } from './http-request-arbitrary.js';
import { persistedErrorArbitrary } from './persisted-error-arbitrary.js';
import { instantArbitrary, storeKeyArbitrary, textArbitrary } from './scalar-arbitraries.js';
import {
  attemptAccountArbitrary,
  bodySourceArbitrary,
  dataResponseArbitrary,
  handOverArbitrary,
  taskProgressArbitrary,
} from './task-parts-arbitrary.js';
import { taskOptionsArbitrary } from './task-options-arbitrary.js';

const terminal: ReadonlySet<TaskPhase> = new Set(['succeeded', 'failed', 'cancelled', 'timedOut']);

/** Which records `taskRecordArbitrary` makes. */
export interface TaskRecordArbitraryOptions {
  /** Kinds to draw from (default: all). */
  readonly kinds?: readonly TaskKind[];
  /** Phases to draw from (default: all). */
  readonly phases?: readonly TaskPhase[];
}

/**
 * Valid task records (`TaskRecord`), coherent where the model says so: `reason` only while
 * `scheduled`, `endedAt` only once completed, `error` only on failed, cancelled and timed-out
 * tasks, a destination, partial bytes, a checkpoint and a hand-over only for downloads, a body for
 * uploads (and maybe data tasks), a response only for data tasks, `handingOver` only for downloads.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(taskRecordArbitrary({ phases: ['scheduled'] }), (record) => record.reason !== null));
 * ```
 */
export function taskRecordArbitrary(options: TaskRecordArbitraryOptions = {}): fc.Arbitrary<TaskRecord> {
  const kinds = options.kinds ?? taskKinds;
  const phases = options.phases ?? taskPhases;
  return plainRecord({
      kind: fc.constantFrom(...kinds),
      phase: fc.constantFrom(...phases),
      taskIdentifier: fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })),
      taskKey: fc.option(textArbitrary(), { nil: null }),
      taskDescription: fc.option(textArbitrary(), { nil: null }),
      reason: fc.constantFrom(...waitReasons),
      createdAt: instantArbitrary(),
      originalRequest: httpRequestArbitrary(),
      currentRequest: httpRequestArbitrary(),
      redirectCount: fc.nat({ max: 20 }),
      options: taskOptionsArbitrary({ withDestination: true }),
      body: bodySourceArbitrary(),
      dataTaskHasBody: fc.boolean(),
      attempts: attemptAccountArbitrary(),
      dueAt: fc.option(instantArbitrary(), { nil: null }),
      partKey: fc.option(storeKeyArbitrary(), { nil: null }),
      checkpoint: fc.option(checkpointArbitrary(), { nil: null }),
      progress: taskProgressArbitrary(),
      handOver: fc.option(handOverArbitrary(), { nil: null }),
      response: fc.option(dataResponseArbitrary(), { nil: null }),
      lastRestart: fc.option(fc.constantFrom(...restartReasons), { nil: null }),
      integrityRestartUsed: fc.boolean(),
      fetchedFromZero: fc.boolean(),
      suggestedName: fc.option(fc.string({ minLength: 1, maxLength: 40 }), { nil: null }),
      error: persistedErrorArbitrary(),
      endedAt: instantArbitrary(),
      waitingNotified: fc.boolean(),
      credentialHeaders: fc.uniqueArray(fc.constantFrom('authorization', 'cookie', 'proxy-authorization', 'x-api-key')),
    })
    .map(({ dataTaskHasBody, ...drawn }): TaskRecord => {
      const download = drawn.kind === 'download';
      const phase = drawn.phase === 'handingOver' && !download ? 'transferring' : drawn.phase;
      const ended = terminal.has(phase);
      return {
        ...drawn,
        phase,
        reason: phase === 'scheduled' ? drawn.reason : null,
        options: download ? drawn.options : { ...drawn.options, destination: null },
        body: drawn.kind === 'upload' || (drawn.kind === 'data' && dataTaskHasBody) ? drawn.body : null,
        partKey: download ? drawn.partKey : null,
        checkpoint: download ? drawn.checkpoint : null,
        handOver: download ? drawn.handOver : null,
        response: drawn.kind === 'data' ? drawn.response : null,
        lastRestart: download ? drawn.lastRestart : null,
        error: ended && phase !== 'succeeded' ? drawn.error : null,
        endedAt: ended ? Math.max(drawn.endedAt, drawn.createdAt) : null,
      };
    });
}
