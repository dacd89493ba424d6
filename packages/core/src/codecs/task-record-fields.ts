import * as t from 'io-ts';
import { restartReasons, taskKinds, taskPhases, waitReasons } from '../model/task-types.js';
import { attemptAccountCodec } from './attempt-account-codec.js';
import { bodySourceCodec } from './body-source-codec.js';
import { checkpointCodec } from './checkpoint-codec.js';
import { dataResponseCodec } from './data-response-codec.js';
import { exactType } from './exact-codec.js';
import { handOverCodec } from './hand-over-codec.js';
import { httpRequestCodec } from './http-request-codec.js';
import { nullable } from './nullable-codec.js';
import { oneOf } from './one-of-codec.js';
import { persistedErrorCodec } from './persisted-error-codec.js';
import { instant, lowerCaseHeaderName, nonEmptyString, nonNegativeSafeInteger, taskIdentifier } from './primitives.js';
import { taskOptionsCodec } from './task-options-codec.js';
import { taskProgressCodec } from './task-progress-codec.js';

const taskKind = oneOf(taskKinds);
const taskPhase = oneOf(taskPhases);
const waitReason = oneOf(waitReasons);
const restartReason = oneOf(restartReasons);

/**
 * A task record at schema version 1 (`TaskRecord`), without its version: the machine's state
 * value and context. The versioned wrapper is in task-record-codec.ts.
 */
export const taskRecordV1Codec = exactType(
  {
    taskIdentifier,
    taskKey: nullable(t.string),
    taskDescription: nullable(t.string),
    kind: taskKind,
    phase: taskPhase,
    reason: nullable(waitReason),
    createdAt: instant,
    originalRequest: httpRequestCodec,
    currentRequest: httpRequestCodec,
    redirectCount: nonNegativeSafeInteger,
    options: taskOptionsCodec,
    body: nullable(bodySourceCodec),
    attempts: attemptAccountCodec,
    dueAt: nullable(instant),
    partKey: nullable(nonEmptyString),
    checkpoint: nullable(checkpointCodec),
    progress: taskProgressCodec,
    handOver: nullable(handOverCodec),
    response: nullable(dataResponseCodec),
    lastRestart: nullable(restartReason),
    integrityRestartUsed: t.boolean,
    fetchedFromZero: t.boolean,
    suggestedName: nullable(t.string),
    error: nullable(persistedErrorCodec),
    endedAt: nullable(instant),
    waitingNotified: t.boolean,
    credentialHeaders: t.readonlyArray(lowerCaseHeaderName),
  },
  'a task record',
);
