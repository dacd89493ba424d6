import type { ErrorCode } from '../errors/error-codes.js';

/**
 * An error as plain tagged data, the way it is persisted (semantics section 7). It becomes a
 * `BgSessionError` again on delivery (`toBgSessionError`).
 */
export interface PersistedError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly retryable: boolean;
  readonly status: number | null;
  readonly headers: Readonly<Record<string, string>> | null;
  /** First 64 KiB of an error response body, as text. */
  readonly body: string | null;
  /** A one-line summary of the underlying cause (e.g. `ECONNRESET`). */
  readonly cause: string | null;
  readonly bodyMayHaveBeenSent: boolean | null;
  /** Resume data (encoded) carried by a cancelled or failed download. */
  readonly resumeData: string | null;
  /**
   * The file path or store key concerned (`DestinationExists`, `PermissionDenied`...). Optional:
   * records written before it was kept have none.
   */
  readonly path?: string;
}
