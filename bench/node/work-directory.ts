import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where downloads land: under bench/results (ignored by git), so on the bench directory's file system. */
const resultsDirectory = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** A scratch directory of one benchmark run, removed by `remove` (and at exit, if the run throws). */
export interface WorkDirectory {
  readonly path: string;
  /** A path inside it. */
  join(...parts: string[]): string;
  /** Removes a path inside it (a file or a tree), if present. */
  clear(...parts: string[]): void;
  remove(): void;
}

/**
 * Makes `bench/results/.work-<name>-<pid>`: on the file system the bench directory is on (the one
 * B1 describes), never committed, and removed when the process exits.
 *
 * @example
 * ```ts
 * const work = createWorkDirectory('b1');
 * try { download(work.join('file.bin')); } finally { work.remove(); }
 * ```
 */
export function createWorkDirectory(name: string): WorkDirectory {
  const path = join(resultsDirectory, `.work-${name}-${process.pid}`);
  mkdirSync(path, { recursive: true });
  const remove = (): void => rmSync(path, { recursive: true, force: true });
  process.once('exit', remove);
  return {
    path,
    join: (...parts) => join(path, ...parts),
    clear: (...parts) => rmSync(join(path, ...parts), { recursive: true, force: true }),
    remove,
  };
}
