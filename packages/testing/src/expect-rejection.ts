import { expect } from 'vitest';
import { isBgSessionError, type BgSessionError, type ErrorCode } from '@bgsession/core';

/**
 * Awaits `promise` and asserts it rejected with a `BgSessionError` carrying `code`; returns the
 * error for further checks. A resolution or any other rejection fails the test with what happened.
 *
 * @example
 * ```ts
 * const error = await expectRejection(store.open(), 'SessionInUse');
 * expect(error.message).toContain('owner');
 * ```
 */
export async function expectRejection(promise: Promise<unknown>, code: ErrorCode): Promise<BgSessionError> {
  const outcome = await promise.then(
    (value: unknown) => ({ rejected: false as const, value }),
    (error: unknown) => ({ rejected: true as const, error }),
  );
  if (!outcome.rejected) {
    expect.fail(`expected a rejection with ${code}, but it resolved with ${describe(outcome.value)}`);
  }
  const error = outcome.error;
  if (!isBgSessionError(error, code)) {
    expect.fail(`expected a rejection with ${code}, but got ${describe(error)}`);
  }
  return error;
}

function describe(value: unknown): string {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return `${value.name}${code === undefined ? '' : ` ${String(code)}`}: ${value.message}`;
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
