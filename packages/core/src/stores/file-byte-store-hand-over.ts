import { truncateUtf8 } from '../codecs/truncate-utf8.js';
import { BgSessionError } from '../errors/bg-session-error.js';
import type { IfExists } from '../model/task-types.js';
import type { HandOverRequest, HandOverResult } from '../ports/byte-store.js';
import type { FileStat } from '../ports/file-system.js';
import { fallbackFileName, sanitizeFileName } from '../policy/file-name.js';
import type { FileByteStoreContext } from './file-byte-store-context.js';
import type { FileByteStoreLayout } from './file-byte-store-layout.js';
import { linkHandedOver, linkHandOver } from './file-byte-store-link.js';
import { readHandOverMarker, removeHandOverMarker, writeHandOverMarker, type HandOverMarker } from './file-byte-store-marker.js';
import { completeMove, moveIntoPlace } from './file-byte-store-move.js';
import { numberedName } from './numbered-name.js';

/** `ifExists: 'rename'` gives up after this many numbered names (browsers stop at 100). */
const maxNumberedNames = 1000;

/** Longest file name, in UTF-8 bytes, common file systems accept. */
const maxNameBytes = 255;

/** Where a hand-over aims: a directory, a name in it, and what to do when the name is taken. */
interface Target {
  readonly directory: string;
  readonly name: string;
  readonly inStore: boolean;
  readonly ifExists: IfExists;
}

/**
 * Hands the part file of `key` over (the ByteStore port's `handOver`), idempotently.
 *
 * To one fixed place (`ifExists` 'fail' or 'replace', or the store's own area) on a file system
 * with hard links and file identities, the bytes move by a link and need no marker file (see
 * `linkHandOver`). Otherwise (numbered names for 'rename', no links, another device) a marker
 * recording where they go (and the size and file identity they will have there) is written durably
 * before they move. A later call for the same key, after a crash at any point, reads it: when the
 * part is gone, the bytes went and the recorded result is the answer; when the location already
 * holds the recorded file (same identity, or same size where the platform has no identities), the
 * move is finished; otherwise it is done again. The caller has closed any handle on the part and
 * serialises calls per key; `written` says this instance wrote the part, as a regular file.
 *
 * @example
 * ```ts
 * const result = await handOverFile(context, 'part-1', {
 *   destination: { type: 'directory', directory: '/downloads', ifExists: 'rename' },
 *   suggestedName: 'report.pdf',
 * });
 * result.location; // '/downloads/report.pdf', or '/downloads/report (1).pdf' when taken
 * ```
 */
export async function handOverFile(context: FileByteStoreContext, key: string, request: HandOverRequest, written = false): Promise<HandOverResult> {
  const { layout } = context;
  const { fs } = layout;
  const from = layout.partPath(key);
  const marker = await readHandOverMarker(context, key);
  const target = targetOf(layout, key, request);
  // One fixed place: the link way (see `linkHandOver`), which links first and looks at the place
  // only when something is there.
  const fixed = target.ifExists !== 'rename' ? fs.join(target.directory, target.name) : null;
  if (marker === null && fixed !== null && written && context.linked && !context.linkMarkers.has(key)) {
    // The usual case, a part this instance wrote as a regular file, where links worked before: it
    // is linked before it is looked at. Anything in the way (a file at the place, another device)
    // and it is looked at below, as any other part.
    const linked = { key, from, fromStat: null, to: fixed, directory: target.directory, exclusive: target.ifExists === 'fail' };
    if ((await linkHandOver(context, linked)) === 'moved') return { location: fixed, inStore: target.inStore };
  }
  const fromStat = await fs.lstat(from);
  if (marker !== null) {
    if (fromStat === null) return resultOf(marker);
    if (await landed(layout, marker)) {
      await completeMove(layout, key, from, fromStat, marker.location);
      return resultOf(marker);
    }
  }
  if (fromStat === null && fixed !== null && (await linkHandedOver(context, key))) return { location: fixed, inStore: target.inStore };
  if (fromStat === null || fromStat.type !== 'file') {
    throw new BgSessionError('StoreFailed', `No bytes under ${key} to hand over.`, { path: from });
  }
  if (fixed !== null && fromStat.identity !== null) {
    const to = fixed;
    const linked = { key, from, fromStat, to, directory: target.directory, exclusive: target.ifExists === 'fail' };
    const outcome = await linkHandOver(context, linked);
    if (outcome === 'moved') return { location: to, inStore: target.inStore };
    if (outcome === 'exists') throw new BgSessionError('DestinationExists', `A file is already at ${to}.`, { path: to });
  }
  const directoryStat = await fs.lstat(target.directory);
  // A link at the directory itself is the app's choice (macOS's /tmp is one); at the name, it is not.
  if (directoryStat === null || directoryStat.type === 'file' || directoryStat.type === 'other') {
    throw new BgSessionError('PermissionDenied', `The destination directory ${target.directory} does not exist.`, {
      path: target.directory,
    });
  }
  const attempts = target.ifExists === 'rename' ? maxNumberedNames + 1 : 1;
  for (let n = 0; n < attempts; n += 1) {
    const to = fs.join(target.directory, n === 0 ? target.name : numberedFileName(target.name, n));
    const outcome = await moveIntoPlace({
      layout,
      key,
      from,
      fromStat,
      to,
      exclusive: target.ifExists !== 'replace',
      record: (identity) => writeHandOverMarker(context, key, { location: to, inStore: target.inStore, size: fromStat.size, identity }),
    });
    if (outcome === 'moved') return { location: to, inStore: target.inStore };
  }
  // Nothing moved: a marker left by an attempt names a taken place and would only mislead.
  await removeHandOverMarker(context, key);
  const wanted = fs.join(target.directory, target.name);
  throw new BgSessionError('DestinationExists', `A file is already at ${wanted}.`, { path: wanted });
}

/**
 * Whether the bytes a marker describes are at its location: the same file identity there, or, where
 * the platform reports none, the same size.
 */
async function landed(layout: FileByteStoreLayout, marker: HandOverMarker): Promise<boolean> {
  const stat: FileStat | null = await layout.fs.lstat(marker.location);
  if (stat === null || stat.type !== 'file') return false;
  if (marker.identity !== null && stat.identity !== null) return stat.identity === marker.identity;
  return stat.size === marker.size;
}

function resultOf(marker: HandOverMarker): HandOverResult {
  return { location: marker.location, inStore: marker.inStore };
}

function targetOf(layout: FileByteStoreLayout, key: string, request: HandOverRequest): Target {
  const destination = request.destination;
  // The finished area is the store's own: a leftover there from an earlier hand-over of a reused
  // key is replaced.
  if (destination === null) return { directory: layout.finished, name: key, inStore: true, ifExists: 'replace' };
  if (destination.type === 'path') {
    const path = destination.path;
    return { directory: layout.parentOf(path), name: layout.nameOf(path), inStore: false, ifExists: destination.ifExists };
  }
  const name = sanitizeFileName(request.suggestedName ?? fallbackFileName);
  const joined = layout.fs.join(destination.directory, name);
  // Belt and braces for #20: whatever the sanitiser let through, the result is one name directly in
  // the app's directory.
  const directory = layout.trimmed(layout.fs.join(destination.directory));
  if (layout.parentOf(joined) !== directory || layout.nameOf(joined) !== name) {
    throw new BgSessionError('InvalidArgument', `The suggested name ${JSON.stringify(name)} would leave ${directory}.`, {
      field: 'suggestedName',
      path: joined,
    });
  }
  return { directory, name, inStore: false, ifExists: destination.ifExists };
}

/**
 * `numberedName`, kept within 255 bytes of UTF-8 by shortening the stem, so a name already at the
 * limit still gets numbered alternatives instead of names the file system refuses.
 */
function numberedFileName(name: string, n: number): string {
  const numbered = numberedName(name, n);
  if (utf8Length(numbered) <= maxNameBytes) return numbered;
  const dot = name.lastIndexOf('.');
  let extension = dot > 0 ? name.slice(dot) : '';
  // An extension too long to keep is cut with the rest of the name.
  if (utf8Length(` (${n})${extension}`) >= maxNameBytes) extension = '';
  const stem = name.slice(0, name.length - extension.length);
  const tail = ` (${n})${extension}`;
  const budget = maxNameBytes - utf8Length(tail);
  const cut = truncateUtf8(stem, budget);
  return cut + tail;
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}
