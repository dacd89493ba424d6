import { BgSessionError } from '../errors/bg-session-error.js';
import type { FileSystem } from '../ports/file-system.js';
import type { Probe } from '../ports/probe.js';

/**
 * What a file byte store key may be: lower-case letters, digits, `.`, `_` and `-`, starting with a
 * letter or digit, at most 200 characters. Keys become file names, and some arrive from outside
 * (resume data names its part key), so anything that could climb out of the store (`/`, `\`, `..`),
 * reach a Windows stream or device (`:`, `CON`) or collide on a case-insensitive file system
 * (`Part-1` and `part-1` on macOS and Windows) is refused rather than encoded. 200 leaves room for
 * the `.json` of a hand-over marker and the temporary names within the usual 255-byte limit.
 */
const keyPattern = /^[a-z0-9][a-z0-9._-]{0,199}$/;

/** Names Windows reserves for devices, with any extension. */
const windowsDevice = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9]|lpt[0-9])(\.|$)/;

/**
 * Throws `InvalidArgument` unless `key` is a valid file byte store key (see `keyPattern`).
 *
 * @example
 * ```ts
 * checkFileByteStoreKey('part-17'); // fine
 * checkFileByteStoreKey('../x'); // throws InvalidArgument
 * ```
 */
export function checkFileByteStoreKey(key: string): void {
  if (!isFileByteStoreKey(key)) {
    throw new BgSessionError(
      'InvalidArgument',
      `${JSON.stringify(String(key)).slice(0, 80)} is not a byte store key (lower-case letters, digits, '.', '_' and '-', at most 200).`,
      { field: 'key' },
    );
  }
}

/** Whether `key` is a valid file byte store key; a trailing dot is refused (Windows drops it). */
export function isFileByteStoreKey(key: unknown): key is string {
  return typeof key === 'string' && keyPattern.test(key) && !key.endsWith('.') && !windowsDevice.test(key);
}

/** Where a file byte store keeps its files, and path arithmetic in the file system's syntax. */
export interface FileByteStoreLayout {
  readonly fs: FileSystem;
  /** Told before each data write and each completion rename (crash tests). */
  readonly probe: Probe | undefined;
  /** The store's own directory. */
  readonly directory: string;
  /** Partial bytes: `<directory>/parts/<key>`. */
  readonly parts: string;
  /** In-store hand-overs: `<directory>/finished/<key>`. */
  readonly finished: string;
  /** Hand-over markers: `<directory>/handovers/<key>.json`, and `<key>.link` (see `linkMarkerPath`). */
  readonly handovers: string;
  partPath(key: string): string;
  finishedPath(key: string): string;
  markerPath(key: string): string;
  /**
   * `<directory>/handovers/<key>.link`: the part file of a key handed over by a hard link, under
   * a name of its own (a second link to the delivered file) until the key is deleted.
   */
  linkMarkerPath(key: string): string;
  /** The directory holding `path` (the FileSystem port has no dirname). */
  parentOf(path: string): string;
  /** The last component of `path`. */
  nameOf(path: string): string;
  /** `path` without trailing separators (a root keeps its own), so directories compare equal. */
  trimmed(path: string): string;
}

/**
 * The layout of a file byte store in `directory`. The separator is learnt from `fs.join`; where it
 * is `\` (Windows), `/` separates too.
 *
 * @example
 * ```ts
 * const layout = fileByteStoreLayout(fs, '/var/lib/app/bytes');
 * layout.partPath('part-1'); // '/var/lib/app/bytes/parts/part-1'
 * layout.parentOf('/downloads/a.txt'); // '/downloads'
 * ```
 */
export function fileByteStoreLayout(fs: FileSystem, directory: string, probe?: Probe): FileByteStoreLayout {
  const joined = fs.join('a', 'b');
  const separator = joined.slice(1, -1) || '/';
  const separators = separator === '\\' ? ['\\', '/'] : [separator];
  const isSeparator = (character: string | undefined): boolean => character !== undefined && separators.includes(character);

  function trimmed(path: string): string {
    let end = path.length;
    while (end > 1 && isSeparator(path[end - 1]) && !isDriveRoot(path.slice(0, end))) end -= 1;
    return path.slice(0, end);
  }

  function lastSeparator(path: string): number {
    return Math.max(...separators.map((s) => path.lastIndexOf(s)));
  }

  function parentOf(path: string): string {
    const clean = trimmed(path);
    const at = lastSeparator(clean);
    if (at < 0) {
      throw new BgSessionError('InvalidArgument', `${path} is not an absolute path.`, { field: 'path', path });
    }
    const parent = clean.slice(0, at);
    // `/x` is in `/`; `C:\x` is in `C:\`, not in the drive-relative `C:`.
    if (parent === '' || /^[A-Za-z]:$/.test(parent)) return clean.slice(0, at + 1);
    return parent;
  }

  function nameOf(path: string): string {
    const clean = trimmed(path);
    return clean.slice(lastSeparator(clean) + 1);
  }

  const parts = fs.join(directory, 'parts');
  const finished = fs.join(directory, 'finished');
  const handovers = fs.join(directory, 'handovers');
  return {
    fs,
    probe,
    directory,
    parts,
    finished,
    handovers,
    partPath: (key) => fs.join(parts, key),
    finishedPath: (key) => fs.join(finished, key),
    markerPath: (key) => fs.join(handovers, `${key}.json`),
    linkMarkerPath: (key) => fs.join(handovers, `${key}.link`),
    parentOf,
    nameOf,
    trimmed,
  };
}

function isDriveRoot(path: string): boolean {
  return /^[A-Za-z]:[\\/]$/.test(path);
}

/**
 * Makes the store's directory and its `parts/`, `finished/` and `handovers/` where missing, and
 * syncs the directories that gained an entry.
 *
 * @example
 * ```ts
 * await makeFileByteStoreDirectories(fileByteStoreLayout(fs, '/var/lib/app/bytes'));
 * ```
 */
export async function makeFileByteStoreDirectories(layout: FileByteStoreLayout): Promise<void> {
  const { fs } = layout;
  // The store's own directory may be a link: the host chose that path.
  if (await makeDirectory(layout, layout.directory, true)) await fs.fsyncDir(layout.parentOf(layout.directory));
  let made = false;
  for (const directory of [layout.parts, layout.finished, layout.handovers]) {
    // Those inside it never are: a link planted there would send parts and hand-overs elsewhere.
    if (await makeDirectory(layout, directory, false)) made = true;
  }
  if (made) await fs.fsyncDir(layout.directory);
}

/** Makes `directory` unless it is there; a link to one counts only where `linkAllowed`. */
async function makeDirectory(layout: FileByteStoreLayout, directory: string, linkAllowed: boolean): Promise<boolean> {
  const stat = await layout.fs.lstat(directory);
  if (stat === null) {
    await layout.fs.mkdir(directory);
    return true;
  }
  if (stat.type === 'symlink' && !linkAllowed) {
    throw new BgSessionError('StoreFailed', `${directory} is a symbolic link, which bgsession never follows inside its store.`, { path: directory });
  }
  if (stat.type !== 'directory' && stat.type !== 'symlink') {
    throw new BgSessionError('StoreFailed', `${directory} is not a directory.`, { path: directory });
  }
  return false;
}
