import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative } from 'node:path';
import { BgSessionError, type DownloadOptions, type ResumeDownloadOptions } from '@bgsession/core';

/** Real paths of destination directories already looked at (a bound, as the file ByteStore's). */
const maxRemembered = 256;

/** Refuses download destinations inside a session's own directory. */
export interface SessionDestinations {
  /**
   * `InvalidArgument` naming `destination` when it lies inside the session's directory, else null.
   * Synchronous, so that nothing runs between an app's call and the session's own checks (a
   * `taskKey` must be looked up as the session was when the app called).
   */
  inside(input: DownloadOptions | ResumeDownloadOptions | string | URL): BgSessionError | null;
}

/**
 * A destination inside the session's own directory is refused: a hand-over there (`'replace'`,
 * or a name the server suggests) could replace the journal or another task's part. Compared by
 * real paths, so neither a symbolic link (macOS's `/tmp` is one) nor a second spelling gets past
 * it: the destination's nearest existing directory is resolved, once per directory (a blocking
 * `realpath`, as `require` does, so the check stays in the app's call).
 *
 * @example
 * ```ts
 * const destinations = sessionDestinations('/home/me/.local/share/bgsession/sessions/app');
 * destinations.inside({ url, destination: { type: 'path', path: '/home/me/.local/share/bgsession/sessions/app/store/journal' } });
 * // BgSessionError InvalidArgument (destination)
 * ```
 */
export function sessionDestinations(sessionDirectory: string): SessionDestinations {
  const session = realOrNull(sessionDirectory) ?? sessionDirectory;
  const remembered = new Map<string, string>();

  function realDirectory(directory: string): string {
    const known = remembered.get(directory);
    if (known !== undefined) return known;
    // The nearest directory that exists, resolved; what is below it cannot be a link yet.
    let existing = directory;
    let rest = '';
    let real: string | null = null;
    for (let depth = 0; depth < 256 && real === null; depth += 1) {
      real = realOrNull(existing);
      if (real !== null) break;
      const parent = dirname(existing);
      if (parent === existing) break;
      rest = rest === '' ? existing.slice(parent.length + 1) : `${existing.slice(parent.length + 1)}/${rest}`;
      existing = parent;
    }
    const resolved = real === null ? directory : rest === '' ? real : `${real}/${rest}`;
    if (remembered.size >= maxRemembered) remembered.clear();
    remembered.set(directory, resolved);
    return resolved;
  }

  const isInside = (path: string, root: string): boolean => {
    const from = relative(root, path);
    return !from.startsWith('..') && !isAbsolute(from);
  };

  return {
    inside(input) {
      if (typeof input !== 'object' || input === null || input instanceof URL) return null;
      const destination: unknown = input.destination;
      if (typeof destination !== 'object' || destination === null) return null;
      const { path, directory } = destination as { readonly path?: unknown; readonly directory?: unknown };
      const target = typeof path === 'string' && isAbsolute(path) ? dirname(path) : typeof directory === 'string' && isAbsolute(directory) ? directory : null;
      if (target === null) return null;
      if (!isInside(target, sessionDirectory) && !isInside(realDirectory(target), session)) return null;
      const place = typeof path === 'string' ? path : (directory as string);
      return new BgSessionError('InvalidArgument', `destination: ${place} is inside the session's own directory ${sessionDirectory}, where bgsession keeps its journal and partial files.`, {
        field: 'destination',
        path: place,
      });
    },
  };
}

function realOrNull(path: string): string | null {
  try {
    return realpathSync.native(path);
  } catch {
    return null;
  }
}
