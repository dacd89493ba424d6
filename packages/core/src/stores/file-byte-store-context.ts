import type { FileByteStoreLayout } from './file-byte-store-layout.js';
import { isFileByteStoreKey } from './file-byte-store-layout.js';

/**
 * What one file byte store instance knows besides its layout: which keys may have a hand-over
 * marker, and how it syncs directories.
 *
 * The marker sets spare a `stat` per task on paths where nearly every key has no marker (a new
 * part, a delete). They are read from `handovers/` once, when the store is first used, and kept by
 * this instance alone (nothing else writes in the store's directory, and the session's lock keeps
 * other processes out). They may name a key whose marker is gone (a failed unlink), never miss one
 * that is there: a key is added before its marker is written and dropped only after its marker
 * was removed.
 */
export interface FileByteStoreContext {
  readonly layout: FileByteStoreLayout;
  /** Keys that may have `handovers/<key>.json`. */
  readonly jsonMarkers: Set<string>;
  /** Keys that may have `handovers/<key>.link`. */
  readonly linkMarkers: Set<string>;
  /** Makes durable the entry changes the caller made in `path` (shared among concurrent callers). */
  syncDirectory(path: string): Promise<void>;
  /**
   * Whether a hand-over of this instance moved its bytes by a link: the file system has hard links
   * and file identities, so a part this instance wrote can be linked before it is looked at.
   */
  linked: boolean;
}

/** The two sets of {@link FileByteStoreContext}, read from the names in `handovers/`. */
export interface MarkerNames {
  readonly jsonMarkers: Set<string>;
  readonly linkMarkers: Set<string>;
}

/**
 * Sorts the names in `handovers/` into the keys with a JSON marker and those with a link marker;
 * other names (a marker's temporary file) are neither.
 *
 * @example
 * ```ts
 * markerNamesOf(['a.json', 'b.link', 'c.json.tmp']); // { jsonMarkers: {'a'}, linkMarkers: {'b'} }
 * ```
 */
export function markerNamesOf(names: readonly string[]): MarkerNames {
  const jsonMarkers = new Set<string>();
  const linkMarkers = new Set<string>();
  for (const name of names) {
    const json = name.endsWith('.json') ? name.slice(0, -'.json'.length) : null;
    if (json !== null && isFileByteStoreKey(json)) jsonMarkers.add(json);
    const link = name.endsWith('.link') ? name.slice(0, -'.link'.length) : null;
    if (link !== null && isFileByteStoreKey(link)) linkMarkers.add(link);
  }
  return { jsonMarkers, linkMarkers };
}
