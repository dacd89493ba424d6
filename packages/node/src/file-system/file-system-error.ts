import { BgSessionError, isBgSessionError } from '@bgsession/core';

/** The errno codes that mean the disk (or the user's quota) is full: the task waits, bytes kept. */
const diskFullCodes: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT']);

/**
 * The errno codes that mean the OS refused: a mode, an ACL, a read-only mount, or a symbolic link
 * where `open` refuses to follow one (ELOOP on Linux and macOS; FreeBSD says EMLINK and NetBSD
 * EFTYPE for O_NOFOLLOW, so those read the same in `open`, see `node-file-system.ts`).
 */
const deniedCodes: ReadonlySet<string> = new Set(['EACCES', 'EPERM', 'ELOOP', 'EROFS']);

/**
 * The errno code (`ENOENT`, `EIO`, ...) Node put on `error`, or undefined when it has none.
 *
 * @example
 * ```ts
 * errnoCodeOf(Object.assign(new Error('full'), { code: 'ENOSPC' })); // 'ENOSPC'
 * errnoCodeOf('nope'); // undefined
 * ```
 */
export function errnoCodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Turns what a `node:fs` call threw into the `BgSessionError` the FileSystem port promises, with
 * `path` and the original error as `cause` (so a caller that must tell ENOENT from EIO still can):
 *
 * - ENOSPC, EDQUOT: `DiskFull`;
 * - EACCES, EPERM, ELOOP, EROFS: `PermissionDenied`;
 * - EEXIST: `DestinationExists` (what the in-memory FileSystem says for an exclusive create, a link
 *   or a mkdir over something that is there; the port only says "fails");
 * - ENOENT, ENOTDIR and everything else (EIO first): `StoreFailed`. A missing file is `null` only
 *   where the port's signature says so (`lstat`); elsewhere the store's own files vanished under it,
 *   which is a store failure, as in the in-memory FileSystem. A caller that expects a file may be
 *   missing asks `lstat` first.
 *
 * A `BgSessionError` passes through unchanged.
 *
 * @example
 * ```ts
 * const error = fileSystemError(Object.assign(new Error('no space'), { code: 'ENOSPC' }), 'write', '/data/part');
 * error.code; // 'DiskFull'
 * error.path; // '/data/part'
 * ```
 */
export function fileSystemError(error: unknown, operation: string, path: string): BgSessionError {
  if (isBgSessionError(error)) return error;
  const errno = errnoCodeOf(error);
  const what = `${operation} ${path}`;
  const fields = { path, cause: error };
  if (errno !== undefined && diskFullCodes.has(errno)) {
    return new BgSessionError('DiskFull', `The disk is full (${errno}): could not ${what}.`, fields);
  }
  if (errno !== undefined && deniedCodes.has(errno)) {
    return new BgSessionError('PermissionDenied', `The file system refused to ${what} (${errno}).`, fields);
  }
  if (errno === 'EEXIST') {
    return new BgSessionError('DestinationExists', `Could not ${what}: something is already there (EEXIST).`, fields);
  }
  const reason = errno ?? (error instanceof Error ? error.message : String(error));
  return new BgSessionError('StoreFailed', `Could not ${what} (${reason}).`, fields);
}
