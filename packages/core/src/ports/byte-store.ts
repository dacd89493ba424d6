import type { Destination } from '../model/task-types.js';
import type { FileStat } from './file-system.js';

/** What a byte store can do. */
export interface ByteStoreCapabilities {
  /**
   * Whether bytes appended but not synced survive the death of their writer (true for files in the
   * OS's cache; false for OPFS writables, where a closed page discards an open one).
   */
  readonly unsyncedSurviveWriter: boolean;
}

/** Where the hand-over puts the bytes. */
export interface HandOverRequest {
  /** The app's destination, or null: keep the file inside the store at a location for the app to move. */
  readonly destination: Destination | null;
  /** A file name the server suggested (Content-Disposition, the URL), unsanitised. */
  readonly suggestedName: string | null;
}

/** Where the bytes went. */
export interface HandOverResult {
  /** A platform location: a path in Node, a store key elsewhere. */
  readonly location: string;
  /** Whether it is inside the store (the app must move it; it is deleted after the acknowledgement). */
  readonly inStore: boolean;
}

/**
 * Per-key partial bytes (downloads, owned upload bodies, data-task bodies).
 *
 * Guarantees:
 * - `append` adds bytes at the end; they are durable only after `sync` resolves. A `sync` covers
 *   every byte whose `append` resolved before it was called; appends called after it may run
 *   while it does (as `fdatasync` lets writes go on), and are not covered by it.
 * - `length` is the bytes present now (null when the key has none), synced or not.
 * - `handOver` is atomic: the bytes are either still under the key or wholly at the result's
 *   location. It is idempotent: handing over a key whose bytes already went resolves with the same
 *   result (an implementation records where they go, durably, with the move), so a host that died
 *   between the move and its record finishes the task at relaunch instead of losing the file. With `ifExists: 'fail'` it rejects with `DestinationExists` rather than overwrite;
 *   every location lies inside the store or exactly at the app's destination (names suggested by
 *   servers are sanitised; links are not followed).
 * - Errors are `BgSessionError`s: `DiskFull` (ENOSPC), `PermissionDenied`, `StoreFailed` (EIO).
 */
export interface ByteStore {
  readonly capabilities: ByteStoreCapabilities;
  /** Changes when the OS restarts (Linux boot_id), so relaunches know what survived. */
  bootIdentity(): Promise<string>;
  length(key: string): Promise<number | null>;
  append(key: string, bytes: Uint8Array): Promise<void>;
  sync(key: string): Promise<void>;
  truncate(key: string, length: number): Promise<void>;
  /** Reads `[offset, end)` in chunks (hashing kept bytes after a relaunch, upload bodies). */
  read(key: string, offset?: number): AsyncIterable<Uint8Array>;
  delete(key: string): Promise<void>;
  /** The keys holding bytes (for removing orphans at open). */
  keys(): Promise<readonly string[]>;
  handOver(key: string, request: HandOverRequest): Promise<HandOverResult>;
  /** The size of the file at a hand-over location, or null when nothing is there (relaunch check). */
  locationSize(location: string): Promise<number | null>;
  /**
   * Optional: rejects when a download to `destination` could not be handed over as things stand,
   * so that `download()` refuses it before any byte moves: `InvalidArgument` naming `destination`
   * when its directory does not exist. Best effort: the hand-over checks again, and a store may
   * remember a directory it found there.
   */
  checkDestination?(destination: Destination): Promise<void>;
  /** Deletes a file the store handed over inside itself (after the acknowledgement). */
  deleteLocation(location: string): Promise<void>;
  /**
   * Optional, with `readSource`: a file of the app's that an upload reads its body from (semantics
   * section 6), as it is now, links not followed (`type: 'symlink'` for a link), or null when
   * nothing is there. `InvalidArgument` naming `path` for a path the platform cannot take as
   * given (a relative one). The file is the app's: the store never writes, moves or deletes it.
   * A store without it cannot upload from a file.
   */
  sourceStat?(path: string): Promise<FileStat | null>;
  /**
   * Optional, with `sourceStat`: the bytes of the app's file at `path` from `offset` to its end
   * as the read finds it when it starts, in chunks; never through a link at the last component.
   * A file that shrinks during the read ends it early (the caller compares the count).
   */
  readSource?(path: string, offset?: number): AsyncIterable<Uint8Array>;
}
