import type { DurableEvent, SessionListener } from '@bgsession/core';
import type fc from 'fast-check';
import type { World } from '../world/world-types.js';

/** A terminal event as the app saw it. */
export interface SeenEvent {
  readonly eventId: string;
  readonly type: 'downloadDidFinish' | 'taskDidComplete';
  readonly taskIdentifier: number;
  /** taskDidComplete: the error's code, or null on success. */
  readonly error: string | null;
  /** The world's process generation that delivered it. */
  readonly generation: number;
}

/** Options of {@link recordingApp}. */
export interface RecordingAppOptions {
  /** The session the app's listener belongs to (its explicit acknowledgements go there). */
  readonly session: string;
  /** When given, the app's work on each event is a task of this scheduler (it races with the rest). */
  readonly scheduler?: fc.Scheduler;
  /**
   * THE PLANTED APP BUG: acknowledge the event (`session.acknowledge(eventId)`) before recording
   * it. A host killed in between loses the event for good.
   */
  readonly acknowledgesFirst?: boolean;
}

/** The app of the D tests and what it saw and recorded. */
export interface RecordingApp {
  readonly listener: SessionListener;
  /** Every delivery, in order (the same event again after a relaunch included). */
  readonly deliveries: SeenEvent[];
  /** What the app durably recorded: once per eventId, as an exactly-once handler does. */
  readonly records: SeenEvent[];
  /** Whether the app recorded `taskIdentifier`'s taskDidComplete. */
  ended(taskIdentifier: number): boolean;
}

/**
 * An app whose listener records each terminal event in its own store, keyed by `eventId` (a
 * second delivery of a recorded id is skipped), then returns: the acknowledgement. The record is
 * durable only once a call on the world's disk by the listener's process settles, and the calls of
 * a process that died never settle: a host killed while the app works on an event leaves it
 * unrecorded, as on a real machine.
 */
export function recordingApp(world: World, options: RecordingAppOptions): RecordingApp {
  const deliveries: SeenEvent[] = [];
  const records: SeenEvent[] = [];
  async function handle(event: Extract<DurableEvent, { type: 'downloadDidFinish' | 'taskDidComplete' }>): Promise<void> {
    // The process's own file system, taken now: after a kill, `world.disk.fs` is the next one's.
    const fs = world.disk.fs;
    const seen: SeenEvent = {
      eventId: event.eventId,
      type: event.type,
      taskIdentifier: event.task.taskIdentifier,
      error: event.type === 'taskDidComplete' ? (event.error?.code ?? null) : null,
      generation: world.generation,
    };
    deliveries.push(seen);
    if (options.acknowledgesFirst === true) await world.session(options.session)?.acknowledge(event.eventId);
    if (options.scheduler !== undefined) await options.scheduler.schedule(Promise.resolve(), `app handles ${event.type} ${event.eventId.slice(0, 8)}`);
    await fs.fsyncDir('/');
    if (!records.some((record) => record.eventId === event.eventId)) records.push(seen);
  }
  return {
    listener: { downloadDidFinish: handle, taskDidComplete: handle },
    deliveries,
    records,
    ended: (taskIdentifier) => records.some((record) => record.type === 'taskDidComplete' && record.taskIdentifier === taskIdentifier),
  };
}
