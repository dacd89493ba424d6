import type { FileSystem } from '../ports/file-system.js';

/** One directory's syncs: the one running, and the one that will follow it for later callers. */
interface DirectorySyncs {
  running: Promise<void>;
  next: Promise<void> | null;
}

/**
 * Group commit for directory entries: returns a function that makes durable every entry change
 * its caller finished in `path` before calling it, sharing one `fsyncDir` among callers.
 *
 * A sync already running when a caller arrives may have started before that caller's change, so
 * it does not count for it: the caller waits for the next sync, which starts once the running one
 * ends and covers everyone who arrived meanwhile. Sixteen tasks finishing together thus cost about
 * two directory syncs, not sixteen. A failed sync rejects every caller it was for; it is never
 * retried for them (the next caller gets a sync of its own, as a fresh `fsyncDir` would).
 *
 * @example
 * ```ts
 * const syncDirectory = directorySyncGroup(fs);
 * await fs.rename('/d/a.tmp', '/d/a');
 * await syncDirectory('/d'); // durable, possibly by a sync shared with other callers
 * ```
 */
export function directorySyncGroup(fs: FileSystem): (path: string) => Promise<void> {
  const directories = new Map<string, DirectorySyncs>();

  function start(path: string): Promise<void> {
    const running = fs.fsyncDir(path);
    const syncs: DirectorySyncs = { running, next: null };
    directories.set(path, syncs);
    const settled = (): void => {
      if (directories.get(path) === syncs && syncs.next === null) directories.delete(path);
    };
    running.then(settled, settled);
    return running;
  }

  return (path) => {
    const syncs = directories.get(path);
    if (syncs === undefined) return start(path);
    // Whatever the running sync's fate, the next one starts after it and is this caller's.
    syncs.next ??= syncs.running.then(
      () => start(path),
      () => start(path),
    );
    return syncs.next;
  };
}
