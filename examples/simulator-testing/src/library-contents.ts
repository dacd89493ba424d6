import { BgSessionError } from '@bgsession/core';

/** One photo the app imported: what its own database says about the file. */
export interface PhotoRecord {
  readonly name: string;
  readonly size: number;
  /** Hex SHA-256 of the file's bytes, as the app read them when it imported the photo. */
  readonly sha256: string;
}

/**
 * Everything the app's database holds: its photos, and the `eventId` of every event whose effects
 * it committed. Both change in one atomic write, which is what makes a redelivered event harmless.
 */
export interface LibraryContents {
  readonly photos: readonly PhotoRecord[];
  readonly appliedEventIds: readonly string[];
}

/** The database of an app that has imported nothing yet. */
export const emptyLibrary: LibraryContents = { photos: [], appliedEventIds: [] };

/**
 * Decodes the database file. The app writes it atomically (temp file, datasync, rename, fsync of
 * the directory), so anything else found there is a bug worth failing loudly on: a handler that
 * throws is delivered its event again, and a test reading the file fails.
 *
 * @example
 * ```ts
 * const contents = decodeLibraryContents(new TextEncoder().encode('{"photos":[],"appliedEventIds":[]}'));
 * ```
 */
export function decodeLibraryContents(bytes: Uint8Array): LibraryContents {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new BgSessionError('CorruptRecord', 'The photo library database is not JSON.', { cause: error });
  }
  if (!isLibraryContents(value)) throw new BgSessionError('CorruptRecord', 'The photo library database does not have the expected shape.');
  return value;
}

function isLibraryContents(value: unknown): value is LibraryContents {
  if (typeof value !== 'object' || value === null) return false;
  const { photos, appliedEventIds } = value as Record<string, unknown>;
  return Array.isArray(photos) && photos.every(isPhotoRecord) && Array.isArray(appliedEventIds) && appliedEventIds.every((id) => typeof id === 'string');
}

function isPhotoRecord(value: unknown): value is PhotoRecord {
  if (typeof value !== 'object' || value === null) return false;
  const { name, size, sha256 } = value as Record<string, unknown>;
  return typeof name === 'string' && typeof size === 'number' && typeof sha256 === 'string';
}
