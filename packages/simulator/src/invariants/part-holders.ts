import type { Trace } from '../trace/trace.js';

/** One partial file of a session, and the tasks whose records named it. */
export interface HeldPart {
  readonly session: string;
  readonly partKey: string;
  readonly tasks: ReadonlySet<number>;
}

/** Who held each partial file over a run, as the trace's commits show it. */
export interface PartHolders {
  /** Each part, by `session#partKey`. */
  readonly parts: ReadonlyMap<string, HeldPart>;
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
 * partHolders(world.trace).parts.get('app#part-1')?.tasks; // Set { 1, 4 }: task 4 was made from task 1's resume data
 * ```
 */
export function partHolders(trace: Trace): PartHolders {
  const parts = new Map<string, { readonly session: string; readonly partKey: string; readonly tasks: Set<number> }>();
  const partOf = new Map<string, string>();
  const keptForResumeData = new Set<string>();
  for (const commit of trace.ofKind('commit')) {
    for (const task of commit.tasks) {
      if (task.partKey === null) continue;
      const key = `${commit.session}#${task.partKey}`;
      const part = parts.get(key) ?? { session: commit.session, partKey: task.partKey, tasks: new Set<number>() };
      parts.set(key, part);
      part.tasks.add(task.taskIdentifier);
      partOf.set(`${commit.session}#${task.taskIdentifier}`, key);
    }
    for (const reference of commit.resumeData ?? []) {
      if (reference.kept) keptForResumeData.add(`${commit.session}#${reference.partKey}`);
      else keptForResumeData.delete(`${commit.session}#${reference.partKey}`);
    }
  }
  return { parts, partOf, keptForResumeData };
}
