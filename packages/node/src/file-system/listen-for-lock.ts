import { createServer, type Socket } from 'node:net';
import type { FileLock } from '@bgsession/core';

/**
 * Listens on a local socket `address` (an abstract name starting with NUL, a socket file, or a
 * Windows named pipe) as a lock: the OS lets one listener hold an address, and frees it when the
 * listener's process dies, however it dies. Rejects with Node's own error (EADDRINUSE when the
 * address is taken); the caller turns it into a `BgSessionError`.
 *
 * The server does not keep the event loop alive (a process that holds a lock and has nothing else
 * to do still exits), and it closes every connection at once: connections are only the socket-file
 * lock's liveness probes.
 *
 * @example
 * ```ts
 * const lock = await listenForLock('\0bgsession-0123456789abcdef0123456789abcdef');
 * await lock.release();
 * ```
 */
export function listenForLock(address: string): Promise<FileLock> {
  const connections = new Set<Socket>();
  const server = createServer({ pauseOnConnect: true }, (socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    socket.on('error', () => undefined);
    socket.destroy();
  });
  return new Promise<FileLock>((resolve, reject) => {
    server.once('error', reject);
    // `exclusive`: in a cluster worker, a listen is otherwise shared through the primary process,
    // which would let every worker "hold" the same lock.
    server.listen({ path: address, exclusive: true }, () => {
      server.off('error', reject);
      // A later error (none is expected once listening) must not crash the process as unhandled.
      server.on('error', () => undefined);
      server.unref();
      let released: Promise<void> | undefined;
      resolve({
        release() {
          released ??= new Promise<void>((done) => {
            for (const socket of connections) socket.destroy();
            // Closing a socket-file server also unlinks its file (libuv does), which is what lets the
            // next owner listen; never unlink it here, it may already be the next owner's.
            server.close(() => done());
          });
          return released;
        },
      });
    });
  });
}
