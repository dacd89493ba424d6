import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { isAbsolute, join, win32 } from 'node:path';
import { BgSessionError } from '@bgsession/core';

/** Where {@link defaultSessionDirectory} looks; each field defaults to this process's. */
export interface DataDirectoryEnvironment {
  readonly platform?: NodeJS.Platform;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly home?: string;
}

/**
 * The OS's per-user data directory: `%LOCALAPPDATA%` on Windows (`~\AppData\Local` without it),
 * `~/Library/Application Support` on macOS, `$XDG_DATA_HOME` elsewhere (`~/.local/share` when it is
 * unset or, as the XDG spec says to treat it, relative).
 *
 * @example
 * ```ts
 * userDataDirectory({ platform: 'linux', env: {}, home: '/home/me' }); // '/home/me/.local/share'
 * userDataDirectory({ platform: 'darwin', env: {}, home: '/Users/me' }); // '/Users/me/Library/Application Support'
 * ```
 */
export function userDataDirectory(environment: DataDirectoryEnvironment = {}): string {
  const platform = environment.platform ?? process.platform;
  const env = environment.env ?? process.env;
  const home = environment.home ?? homedir();
  if (platform === 'win32') {
    const local = env['LOCALAPPDATA'];
    return local !== undefined && win32.isAbsolute(local) ? local : win32.join(home, 'AppData', 'Local');
  }
  if (platform === 'darwin') return join(home, 'Library', 'Application Support');
  const xdg = env['XDG_DATA_HOME'];
  return xdg !== undefined && xdg !== '' && isAbsolute(xdg) ? xdg : join(home, '.local', 'share');
}

/** Longest name kept from an identifier before the hash; well under every file system's 255. */
const maxNameLength = 100;

/**
 * The directory name of a session identifier: letters, digits, `.`, `_` and `-` kept, lower-cased.
 * When anything had to change (a `/`, a space, upper case, which a case-insensitive disk would
 * merge, or a name like `..`), 8 hex digits of the identifier's SHA-256 are appended, so two
 * identifiers never share a directory by sanitising to the same name.
 *
 * @example
 * ```ts
 * sessionDirectoryName('com.example.sync'); // 'com.example.sync'
 * sessionDirectoryName('Photos/Backup'); // 'photos_backup-1c2d3e4f' (the hash differs)
 * ```
 */
export function sessionDirectoryName(identifier: string): string {
  const kept = identifier.toLowerCase().replace(/[^a-z0-9._-]/g, '_').slice(0, maxNameLength);
  const plain = kept === identifier && !/^\.*$/.test(kept);
  if (plain) return kept;
  const hash = createHash('sha256').update(identifier, 'utf8').digest('hex').slice(0, 8);
  return `${kept.replace(/^\.+$/, '')}-${hash}`.replace(/^-/, 's-');
}

/**
 * The default directory of a session: `<user data directory>/bgsession/sessions/<name>`, with the
 * name from {@link sessionDirectoryName}.
 *
 * @example
 * ```ts
 * defaultSessionDirectory('com.example.sync', { platform: 'linux', env: {}, home: '/home/me' });
 * // '/home/me/.local/share/bgsession/sessions/com.example.sync'
 * ```
 */
export function defaultSessionDirectory(identifier: string, environment: DataDirectoryEnvironment = {}): string {
  if (typeof identifier !== 'string' || identifier === '') {
    throw new BgSessionError('InvalidConfiguration', 'identifier must be a non-empty string.', { field: 'identifier' });
  }
  const base = userDataDirectory(environment);
  const platform = environment.platform ?? process.platform;
  return platform === 'win32' ? win32.join(base, 'bgsession', 'sessions', sessionDirectoryName(identifier)) : join(base, 'bgsession', 'sessions', sessionDirectoryName(identifier));
}
