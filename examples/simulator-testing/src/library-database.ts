import type { FileSystem } from '@bgsession/core';
import { decodeLibraryContents, emptyLibrary, type LibraryContents } from './library-contents.js';

/** The app's own database: one JSON file that a kill or a power loss leaves old or new, never torn. */
export interface LibraryDatabase {
  /** The contents last committed (empty before the first commit). */
  load(): Promise<LibraryContents>;
  /** Replaces the contents; resolves once they are durable. */
  commit(contents: LibraryContents): Promise<void>;
}

/** The database file's name inside the library directory. */
const fileName = 'library.json';

/**
 * Opens the app's database in `directory` on `fs`, the file system of the running process.
 *
 * A commit writes a temporary file, syncs it, renames it over the database and syncs the directory:
 * a power loss at any step leaves either the previous contents or the new ones, both synced. Writing
 * in place instead would let a power loss keep half of the new bytes (the lossy disk garbles
 * unsynced sectors, as SQLite's crash model does).
 *
 * @example
 * ```ts
 * const database = openLibraryDatabase(world.disk.fs, '/library');
 * const contents = await database.load();
 * await database.commit({ ...contents, appliedEventIds: [...contents.appliedEventIds, eventId] });
 * ```
 */
export function openLibraryDatabase(fs: FileSystem, directory: string): LibraryDatabase {
  const path = fs.join(directory, fileName);
  const temporary = fs.join(directory, `${fileName}.tmp`);
  return {
    async load() {
      if ((await fs.lstat(path)) === null) return emptyLibrary;
      const handle = await fs.open(path, { mode: 'r' });
      try {
        return decodeLibraryContents(await handle.read(0, await handle.size()));
      } finally {
        await handle.close();
      }
    },

    async commit(contents) {
      const bytes = new TextEncoder().encode(JSON.stringify(contents));
      // A temporary file left by a crash is simply overwritten.
      const handle = await fs.open(temporary, { mode: 'rw', create: true });
      try {
        await handle.truncate(0);
        await handle.write(bytes, 0);
        await handle.datasync();
      } finally {
        await handle.close();
      }
      await fs.rename(temporary, path);
      await fs.fsyncDir(directory);
    },
  };
}
