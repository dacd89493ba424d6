import type { Session } from '@bgsession/core';
import type { LossyDisk } from '../disk/lossy-disk.js';

/**
 * The partial-file length of each live task of each session, as the OS's cache holds it now (the
 * world calls it at the moment of a kill or power loss, for invariant #7). `partKeyOf` names the
 * part a task writes: its own `part-<id>`, or the part a download made from resume data took over.
 *
 * @example
 * ```ts
 * const parts = partLengths(world.disk, '/sessions', sessions, (session, id) => log.partKeyOf(session, id));
 * parts.get('app')?.get(3); // 1_048_576
 * ```
 */
export function partLengths(
  disk: LossyDisk,
  root: string,
  sessions: ReadonlyMap<string, Session>,
  partKeyOf: (session: string, taskIdentifier: number) => string | null,
): Map<string, Map<number, number>> {
  const lengths = new Map<string, Map<number, number>>();
  for (const [identifier, session] of sessions) {
    const ofSession = new Map<number, number>();
    for (const task of session.tasks()) {
      const partKey = partKeyOf(identifier, task.taskIdentifier);
      const length = partKey === null ? null : partLength(disk, root, identifier, partKey);
      if (length !== null) ofSession.set(task.taskIdentifier, length);
    }
    lengths.set(identifier, ofSession);
  }
  return lengths;
}

/** The length of the partial file under a part key (the file ByteStore's `parts/<key>`, `part-<id>` for a task's own), or null when there is none. */
export function partLength(disk: LossyDisk, root: string, session: string, partKey: string): number | null {
  return disk.fileLength(`${root}/${sessionDirectoryName(session)}/bytes/parts/${partKey}`);
}

/** A directory name for a session identifier: letters, digits, '.', '_' and '-' kept, the rest escaped. */
export function sessionDirectoryName(identifier: string): string {
  return identifier.replace(/[^A-Za-z0-9._-]/g, (character) => `%${character.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
