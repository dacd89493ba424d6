import type { Trace } from '../trace/trace.js';

/** Who held each partial file over a run, as the trace's commits show it. */
export interface PartHolders {
  /** The tasks whose records named each part, by `session#partKey`. */
  readonly tasks: ReadonlyMap<string, ReadonlySet<number>>;
  /** Each task's part, as `session#partKey`, by `session#taskIdentifier`. */
  readonly partOf: ReadonlyMap<string, string>;
  /** The parts a resume-data reference holds once the run's last commit resolved, as `session#partKey`. */
  readonly keptForResumeData: ReadonlySet<string>;
}

/**
 * The holders of each part: a download made from resume data continues the part of the task that
 * gave its bytes, so a part may pass from task to task, and between them a resume-data reference
 * holds it (until it is used, discarded or expires).
 *
 * @example
 * ```ts
 * partHolders(world.trace).tasks.get('app#part-1'); // Set { 1, 4 }: task 4 was made from task 1's resume data
 * ```
 */
export function partHolders(trace: Trace): PartHolders {
  const tasks = new Map<string, Set<number>>();
  const partOf = new Map<string, string>();
  const keptForResumeData = new Set<string>();
  for (const commit of trace.ofKind('commit')) {
    for (const task of commit.tasks) {
      if (task.partKey === null) continue;
      const key = `${commit.session}#${task.partKey}`;
      tasks.set(key, (tasks.get(key) ?? new Set()).add(task.taskIdentifier));
      partOf.set(`${commit.session}#${task.taskIdentifier}`, key);
    }
    for (const reference of commit.resumeData ?? []) {
      if (reference.kept) keptForResumeData.add(`${commit.session}#${reference.partKey}`);
      else keptForResumeData.delete(`${commit.session}#${reference.partKey}`);
    }
  }
  return { tasks, partOf, keptForResumeData };
}
