import type { FileSystem, Session, SessionListener, Task } from '@bgsession/core';
import { fileSha256 } from './file-sha256.js';
import { openLibraryDatabase } from './library-database.js';

/** The session identifier of the photo library. */
export const photoLibraryIdentifier = 'com.example.photos';

/** What the app needs from its platform: how to open its session, and the disk. */
export interface PhotoLibraryOptions {
  /**
   * Opens the app's session with its listener: `world.openSession` in a test, `openSession` of
   * `@bgsession/node` in the real app.
   */
  readonly openSession: (options: { readonly identifier: string; readonly listener: SessionListener }) => Promise<Session>;
  /**
   * The file system of the process running now. A function, not a value: after a relaunch the
   * same listener runs in the new process, and must reach the disk through that process.
   */
  readonly fileSystem: () => FileSystem;
  /** Where the database and the photos live (default `/library`). */
  readonly directory?: string;
  /**
   * Skip an event whose `eventId` the database already holds (default true). False plays the
   * naive app, which imports a photo again when its event is delivered again.
   */
  readonly checkEventIds?: boolean;
}

/** The running app. */
export interface PhotoLibrary {
  readonly session: Session;
  /** The library directory: `library.json` and `photos/`. */
  readonly directory: string;
  /** Starts downloading a photo into the library; the listener records it when it is there. */
  importPhoto(name: string, url: string): Promise<Task>;
}

/**
 * Opens the photo library: a small app that downloads photos into `<directory>/photos` and, when
 * a download finishes, records the photo (name, size, SHA-256) in its own database. The eventId
 * of the event is committed with the record, in the same write, and an event whose eventId is
 * already there is acknowledged without importing anything: a kill between the handler's return
 * and the session's acknowledgement delivers the event again, and the photo is still recorded once.
 *
 * @example
 * ```ts
 * const library = await openPhotoLibrary({ openSession: (options) => world.openSession(options), fileSystem: () => world.disk.fs });
 * await library.importPhoto('beach.jpg', 'https://photos.example/beach.jpg');
 * await world.runUntilIdle();
 * ```
 */
export async function openPhotoLibrary(options: PhotoLibraryOptions): Promise<PhotoLibrary> {
  const directory = options.directory ?? '/library';
  const checkEventIds = options.checkEventIds ?? true;
  const setupFs = options.fileSystem();
  await ensureDirectory(setupFs, directory);
  await ensureDirectory(setupFs, setupFs.join(directory, 'photos'));

  const listener: SessionListener = {
    async downloadDidFinish(event) {
      // Taken once per delivery: the process this handler started in, and no other, touches the disk.
      const fs = options.fileSystem();
      const database = openLibraryDatabase(fs, directory);
      const contents = await database.load();
      if (checkEventIds && contents.appliedEventIds.includes(event.eventId)) return;
      const name = event.task.taskDescription ?? event.location;
      const { size, sha256 } = await fileSha256(fs, event.location);
      await database.commit({
        photos: [...contents.photos, { name, size, sha256 }],
        appliedEventIds: [...contents.appliedEventIds, event.eventId],
      });
    },
  };
  const session = await options.openSession({ identifier: photoLibraryIdentifier, listener });

  return {
    session,
    directory,
    importPhoto: (name, url) =>
      session.download({
        url,
        taskDescription: name,
        destination: { type: 'path', path: setupFs.join(directory, 'photos', name), ifExists: 'replace' },
      }),
  };
}

/** Creates `path` unless it exists, and makes its entry durable. */
async function ensureDirectory(fs: FileSystem, path: string): Promise<void> {
  if ((await fs.lstat(path)) !== null) return;
  await fs.mkdir(path);
  await fs.fsyncDir(parentOf(path));
}

function parentOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}
