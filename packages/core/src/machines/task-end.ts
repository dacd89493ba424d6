import type { PersistedError } from '../model/persisted-error.js';
import type { TaskEffect } from '../model/task-effects.js';
import type { TaskPhase, TaskRecord } from '../model/task-types.js';
import type { TaskUpdate } from './task-update.js';

/** The terminal phases an end can record. */
export type EndPhase = Extract<TaskPhase, 'succeeded' | 'failed' | 'cancelled' | 'timedOut'>;

/**
 * The bytes a task owns when it ends without success: kept for resume data when the error carries
 * it, deleted otherwise (invariant #9: no partial file left behind but what resume data owns).
 */
function releaseBytes(task: TaskRecord, error: PersistedError): TaskEffect[] {
  const effects: TaskEffect[] = [];
  if (task.partKey !== null) {
    effects.push(error.resumeData !== null ? { type: 'produceResumeData' } : { type: 'deleteBytes', key: task.partKey });
  }
  if (task.body !== null && task.body.owned) effects.push({ type: 'deleteBytes', key: task.body.ref });
  if (task.response !== null) effects.push({ type: 'deleteBytes', key: task.response.bodyKey });
  return effects;
}

/**
 * Ends a task with an error: the record and its `taskDidComplete` enter the store in one durable
 * commit (semantics section 3), any attempt in flight is aborted and the scheduler forgets it.
 */
export function endWithError(task: TaskRecord, now: number, error: PersistedError, inFlight: boolean): TaskUpdate {
  const effects: TaskEffect[] = [];
  if (inFlight) effects.push({ type: 'abortAttempt' });
  effects.push({ type: 'dequeue' }, ...releaseBytes(task, error));
  effects.push({
    type: 'end',
    events: [{ type: 'taskDidComplete', taskIdentifier: task.taskIdentifier, error, response: null }],
  });
  return {
    task: { ...task, reason: null, dueAt: null, error, endedAt: now },
    effects,
    durability: 'strict',
  };
}

/** Ends a data or upload task with its response. */
export function endWithResponse(task: TaskRecord, now: number): TaskUpdate {
  const effects: TaskEffect[] = [{ type: 'dequeue' }];
  if (task.body !== null && task.body.owned) effects.push({ type: 'deleteBytes', key: task.body.ref });
  effects.push({
    type: 'end',
    events: [{ type: 'taskDidComplete', taskIdentifier: task.taskIdentifier, error: null, response: task.response }],
  });
  return { task: { ...task, reason: null, dueAt: null, error: null, endedAt: now }, effects, durability: 'strict' };
}

/** Ends a download whose file was handed over at `location`. */
export function endWithFile(task: TaskRecord, now: number, location: string, inStore: boolean): TaskUpdate {
  return {
    task: { ...task, reason: null, dueAt: null, error: null, endedAt: now },
    effects: [
      { type: 'dequeue' },
      {
        type: 'end',
        events: [
          { type: 'downloadDidFinish', taskIdentifier: task.taskIdentifier, location, inStore },
          { type: 'taskDidComplete', taskIdentifier: task.taskIdentifier, error: null, response: null },
        ],
      },
    ],
    durability: 'strict',
  };
}
