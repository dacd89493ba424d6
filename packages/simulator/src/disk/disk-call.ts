import { BgSessionError } from '@bgsession/core';

/** Every call of the FileSystem port and its handles, as the lossy disk counts and fails them. */
export const diskCalls = [
  'open',
  'read',
  'write',
  'datasync',
  'truncate',
  'size',
  'close',
  'lstat',
  'readdir',
  'mkdir',
  'rename',
  'link',
  'unlink',
  'fsyncDir',
  'lock',
  'release',
  'bootIdentity',
] as const;

/** One call of the FileSystem port (`join` is pure and not counted). */
export type DiskCall = (typeof diskCalls)[number];

/** The failures a lossy disk injects on demand: EIO, ENOSPC and EACCES, as the port maps them. */
export type DiskFault = 'EIO' | 'ENOSPC' | 'EACCES';

/** A call about to run on the lossy disk, as its listeners see it. */
export interface DiskCallInfo {
  readonly call: DiskCall;
  /** The paths it concerns: one, or two for `rename` and `link` (from, to). */
  readonly paths: readonly string[];
  /** Which call of its kind this is, from 1, counting every process on the disk. */
  readonly count: number;
}

/**
 * The error the FileSystem port promises for `fault`: `StoreFailed` for EIO, `DiskFull` for
 * ENOSPC, `PermissionDenied` for EACCES, with the errno as `cause`.
 *
 * @example
 * ```ts
 * faultError('ENOSPC', 'write', '/data/part').code; // 'DiskFull'
 * ```
 */
export function faultError(fault: DiskFault, call: DiskCall, path: string): BgSessionError {
  const fields = { path, cause: fault };
  if (fault === 'ENOSPC') return new BgSessionError('DiskFull', `No space left on device (ENOSPC): ${call} ${path}.`, fields);
  if (fault === 'EACCES') return new BgSessionError('PermissionDenied', `Permission denied (EACCES): ${call} ${path}.`, fields);
  return new BgSessionError('StoreFailed', `Input/output error (EIO): ${call} ${path}.`, fields);
}

/**
 * A `StoreFailed` error for a file system condition (ENOENT, EISDIR...), named in the message as
 * the Node adapter names it.
 *
 * @example
 * ```ts
 * storeFailed('No such file (ENOENT)', '/missing').code; // 'StoreFailed'
 * ```
 */
export function storeFailed(reason: string, path: string): BgSessionError {
  return new BgSessionError('StoreFailed', `${reason}: ${path}.`, { path });
}
