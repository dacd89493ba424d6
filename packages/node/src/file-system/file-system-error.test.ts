import { describe, expect, it } from 'vitest';
import { BgSessionError, type ErrorCode } from '@bgsession/core';
import { fileSystemError } from './file-system-error.js';

/** An error shaped like the ones node:fs rejects with. */
function errno(code: string): Error {
  return Object.assign(new Error(`${code}: fake`), { code, syscall: 'write' });
}

describe('fileSystemError maps errno codes to the codes of the port', () => {
  const table: ReadonlyArray<readonly [string, ErrorCode]> = [
    ['ENOSPC', 'DiskFull'],
    ['EDQUOT', 'DiskFull'],
    ['EACCES', 'PermissionDenied'],
    ['EPERM', 'PermissionDenied'],
    ['ELOOP', 'PermissionDenied'],
    ['EROFS', 'PermissionDenied'],
    ['EEXIST', 'DestinationExists'],
    ['ENOENT', 'StoreFailed'],
    ['EIO', 'StoreFailed'],
    ['EBADF', 'StoreFailed'],
  ];
  it.each(table)('%s is %s, with the path and the original error as its cause', (code, expected) => {
    const original = errno(code);
    const error = fileSystemError(original, 'write', '/data/part');
    expect(error).toBeInstanceOf(BgSessionError);
    expect(error.code).toBe(expected);
    expect(error.path).toBe('/data/part');
    expect(error.cause).toBe(original);
  });

  it('a full disk is not retried as an attempt failure: the task waits instead', () => {
    expect(fileSystemError(errno('ENOSPC'), 'write', '/p').retryable).toBe(false);
  });

  it('anything without an errno code is StoreFailed', () => {
    expect(fileSystemError(new TypeError('bad argument'), 'open', '/p').code).toBe('StoreFailed');
    expect(fileSystemError('a string', 'open', '/p').code).toBe('StoreFailed');
  });

  it('a BgSessionError passes through unchanged', () => {
    const already = new BgSessionError('SessionInUse', 'held');
    expect(fileSystemError(already, 'lock', '/p')).toBe(already);
  });
});
