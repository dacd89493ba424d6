/** A file's metadata, as `lstat` reports it (links are not followed). */
export interface FileStat {
  readonly type: 'file' | 'directory' | 'symlink' | 'other';
  readonly size: number;
  readonly mtimeMs: number;
  /** Device and inode (or a platform's equivalent) as a string, or null when unknown. */
  readonly identity: string | null;
}

/** An open file. Positions are explicit: there is no shared cursor. */
export interface FileHandle {
  read(position: number, length: number): Promise<Uint8Array>;
  /** Writes at `position` (or at the end with `append`). Not durable until `datasync`. */
  write(bytes: Uint8Array, position: number | 'append'): Promise<void>;
  /** fdatasync: the file's bytes and length are durable. A failure is never retried. */
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}

/** How to open a file. */
export interface OpenOptions {
  /** `r`: read; `rw`: read and write; `a`: append. */
  readonly mode: 'r' | 'rw' | 'a';
  /** Create when missing. */
  readonly create?: boolean;
  /** With `create`: fail with `exists` when the file is there (O_EXCL). */
  readonly exclusive?: boolean;
}

/** An exclusive lock, released by `release()` or by the death of its owner. */
export interface FileLock {
  release(): Promise<void>;
}

/**
 * The POSIX subset the journal Store and the file ByteStore need (architecture.md "Ports").
 *
 * Guarantees: paths are absolute, in the platform's syntax; `open` never follows a symbolic link at
 * the last component (O_NOFOLLOW); a write is durable only after `datasync` on its handle, and a
 * create, rename or unlink only after `fsyncDir` on its directory. Failures reject with a
 * `BgSessionError`: `DiskFull` (ENOSPC), `PermissionDenied` (EACCES, EPERM, ELOOP),
 * `StoreFailed` (EIO and anything unexpected); a missing file is `null` where the signature says so.
 */
export interface FileSystem {
  open(path: string, options: OpenOptions): Promise<FileHandle>;
  lstat(path: string): Promise<FileStat | null>;
  readdir(path: string): Promise<readonly string[]>;
  mkdir(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Hard link; fails when `to` exists (an atomic "create if absent" for hand-over). */
  link(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  fsyncDir(path: string): Promise<void>;
  /** Joins path segments in the platform's syntax. */
  join(...segments: string[]): string;
  /** Takes the exclusive lock named for `path`; rejects with `SessionInUse` while another live owner holds it. */
  lock(path: string): Promise<FileLock>;
  /** Changes when the OS restarts. */
  bootIdentity(): Promise<string>;
}
