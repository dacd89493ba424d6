import type { ErrorCode } from '../errors/error-codes.js';
import type { PersistedError } from '../model/persisted-error.js';

/**
 * A persisted error for an end the machine decides itself (cancel, resource timeout, interrupted
 * request). Errors that come from an attempt arrive already persisted in `attemptFailed`.
 *
 * @example
 * ```ts
 * machineError('Cancelled', 'The task was cancelled.');
 * ```
 */
export function machineError(
  code: ErrorCode,
  message: string,
  extra: Partial<Pick<PersistedError, 'bodyMayHaveBeenSent' | 'resumeData'>> = {},
): PersistedError {
  return {
    code,
    message,
    retryable: false,
    status: null,
    headers: null,
    body: null,
    cause: null,
    bodyMayHaveBeenSent: extra.bodyMayHaveBeenSent ?? null,
    resumeData: extra.resumeData ?? null,
  };
}
