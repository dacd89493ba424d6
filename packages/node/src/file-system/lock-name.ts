import { createHash } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { errnoCodeOf, fileSystemError } from './file-system-error.js';

/** What names one lock: the canonical path and the first 32 hex digits of its SHA-256. */
export interface LockName {
  readonly canonical: string;
  readonly hash: string;
}

/**
 * Names the lock for `path` so that every spelling of one place (a symbolic link to it, `a/../b`)
 * gets the same lock: the real path of its nearest existing ancestor, joined with the segments that
 * do not exist yet (a lock may be taken before its directory is made).
 *
 * @example
 * ```ts
 * const { hash } = await lockNameFor('/home/me/.bgsession/sessions/app');
 * hash.length; // 32
 * ```
 */
export async function lockNameFor(path: string): Promise<LockName> {
  const missing: string[] = [];
  let current = resolve(path);
  let canonical: string | undefined;
  while (canonical === undefined) {
    try {
      canonical = join(await realpath(current), ...missing);
    } catch (error) {
      const parent = dirname(current);
      if (errnoCodeOf(error) !== 'ENOENT' || parent === current) throw fileSystemError(error, 'resolve', path);
      missing.unshift(basename(current));
      current = parent;
    }
  }
  return { canonical, hash: createHash('sha256').update(canonical).digest('hex').slice(0, 32) };
}
