import {
  BgSessionError,
  type FileHandle,
  type FileLock,
  type FileStat,
  type FileSystem,
  type OpenOptions,
} from '@bgsession/core';

/** The bytes of one file; hard links share it. */
interface Inode {
  readonly id: number;
  bytes: Uint8Array;
  mtimeMs: number;
}

type Node = { readonly type: 'file'; readonly inode: Inode } | { readonly type: 'directory' };

/** Options of {@link createMemoryFileSystem}. */
export interface MemoryFileSystemOptions {
  /** The modification time given to writes (0 by default), e.g. a manual clock's `now`. */
  readonly now?: () => number;
  readonly bootIdentity?: string;
}

/**
 * Creates a {@link FileSystem} kept in memory, with POSIX paths (`/` only). Every write is durable
 * at once: it models the calls, not a disk that loses unsynced writes (that is the simulator's
 * lossy disk). Only `/` exists at first.
 *
 * @example
 * ```ts
 * const fs = createMemoryFileSystem();
 * await fs.mkdir('/data');
 * const handle = await fs.open('/data/a', { mode: 'rw', create: true });
 * await handle.write(new TextEncoder().encode('hi'), 0);
 * await handle.datasync();
 * ```
 */
export function createMemoryFileSystem(options: MemoryFileSystemOptions = {}): FileSystem {
  const nodes = new Map<string, Node>([['/', { type: 'directory' }]]);
  const locks = new Set<string>();
  const now = options.now ?? (() => 0);
  let nextInode = 1;

  function fail(code: 'StoreFailed' | 'PermissionDenied' | 'DestinationExists', message: string, path: string): never {
    throw new BgSessionError(code, message, { path });
  }

  function normalize(path: string): string {
    if (!path.startsWith('/')) fail('StoreFailed', `Not an absolute path: ${path}`, path);
    const parts: string[] = [];
    for (const part of path.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') parts.pop();
      else parts.push(part);
    }
    return `/${parts.join('/')}`;
  }

  function parentOf(path: string): string {
    const slash = path.lastIndexOf('/');
    return slash <= 0 ? '/' : path.slice(0, slash);
  }

  function requireParent(path: string): void {
    if (path === '/') return;
    if (nodes.get(parentOf(path))?.type !== 'directory') fail('StoreFailed', `No directory for ${path} (ENOENT).`, path);
  }

  function fileAt(path: string): Inode {
    const node = nodes.get(path);
    if (node === undefined) fail('StoreFailed', `No such file: ${path} (ENOENT).`, path);
    if (node.type !== 'file') fail('StoreFailed', `${path} is a directory (EISDIR).`, path);
    return node.inode;
  }

  function handleFor(path: string, inode: Inode, mode: OpenOptions['mode']): FileHandle {
    let closed = false;
    function check(writing: boolean): void {
      if (closed) fail('StoreFailed', `The handle of ${path} is closed.`, path);
      if (writing && mode === 'r') fail('PermissionDenied', `${path} is open read-only.`, path);
    }
    function resize(length: number): void {
      const grown = new Uint8Array(length);
      grown.set(inode.bytes.subarray(0, Math.min(length, inode.bytes.length)));
      inode.bytes = grown;
      inode.mtimeMs = now();
    }
    return {
      async read(position, length) {
        check(false);
        return inode.bytes.slice(position, position + length);
      },
      async write(bytes, position) {
        check(true);
        const at = position === 'append' || mode === 'a' ? inode.bytes.length : position;
        if (at + bytes.length > inode.bytes.length) resize(at + bytes.length);
        inode.bytes.set(bytes, at);
        inode.mtimeMs = now();
      },
      async datasync() {
        check(false);
      },
      async truncate(length) {
        check(true);
        resize(length);
      },
      async size() {
        check(false);
        return inode.bytes.length;
      },
      async close() {
        check(false);
        closed = true;
      },
    };
  }

  return {
    async open(rawPath, openOptions) {
      const path = normalize(rawPath);
      requireParent(path);
      const existing = nodes.get(path);
      if (existing !== undefined && openOptions.create === true && openOptions.exclusive === true) {
        fail('DestinationExists', `${path} exists (EEXIST).`, path);
      }
      if (existing === undefined) {
        if (openOptions.create !== true) fail('StoreFailed', `No such file: ${path} (ENOENT).`, path);
        nodes.set(path, { type: 'file', inode: { id: nextInode++, bytes: new Uint8Array(), mtimeMs: now() } });
      }
      return handleFor(path, fileAt(path), openOptions.mode);
    },
    async lstat(rawPath): Promise<FileStat | null> {
      const path = normalize(rawPath);
      const node = nodes.get(path);
      if (node === undefined) return null;
      if (node.type === 'directory') return { type: 'directory', size: 0, mtimeMs: 0, identity: null };
      return { type: 'file', size: node.inode.bytes.length, mtimeMs: node.inode.mtimeMs, identity: `memory:${node.inode.id}` };
    },
    async readdir(rawPath) {
      const path = normalize(rawPath);
      if (nodes.get(path)?.type !== 'directory') fail('StoreFailed', `No such directory: ${path} (ENOENT).`, path);
      const names: string[] = [];
      for (const candidate of nodes.keys()) {
        if (candidate !== '/' && candidate !== path && parentOf(candidate) === path) names.push(candidate.slice(candidate.lastIndexOf('/') + 1));
      }
      return names.sort();
    },
    async mkdir(rawPath) {
      const path = normalize(rawPath);
      requireParent(path);
      const existing = nodes.get(path);
      if (existing?.type === 'file') fail('DestinationExists', `${path} is a file (EEXIST).`, path);
      nodes.set(path, { type: 'directory' });
    },
    async rename(rawFrom, rawTo) {
      const from = normalize(rawFrom);
      const to = normalize(rawTo);
      const node = nodes.get(from);
      if (node === undefined) fail('StoreFailed', `No such file: ${from} (ENOENT).`, from);
      requireParent(to);
      if (from === to) return;
      if (nodes.get(to)?.type === 'directory') fail('StoreFailed', `${to} is a directory (EISDIR).`, to);
      if (node.type === 'directory') {
        for (const [path, child] of [...nodes]) {
          if (path.startsWith(`${from}/`)) {
            nodes.delete(path);
            nodes.set(to + path.slice(from.length), child);
          }
        }
      }
      nodes.delete(from);
      nodes.set(to, node);
    },
    async link(rawFrom, rawTo) {
      const from = normalize(rawFrom);
      const to = normalize(rawTo);
      const inode = fileAt(from);
      requireParent(to);
      if (nodes.has(to)) fail('DestinationExists', `${to} exists (EEXIST).`, to);
      nodes.set(to, { type: 'file', inode });
    },
    async unlink(rawPath) {
      const path = normalize(rawPath);
      fileAt(path);
      nodes.delete(path);
    },
    async fsyncDir(rawPath) {
      const path = normalize(rawPath);
      if (nodes.get(path)?.type !== 'directory') fail('StoreFailed', `No such directory: ${path} (ENOENT).`, path);
    },
    join(...segments) {
      const joined = segments.filter((segment) => segment !== '').join('/');
      return joined.startsWith('/') ? normalize(joined) : joined.replace(/\/+/g, '/');
    },
    async lock(rawPath): Promise<FileLock> {
      const path = normalize(rawPath);
      if (locks.has(path)) throw new BgSessionError('SessionInUse', `${path} is locked by a live owner.`, { path });
      locks.add(path);
      let released = false;
      return {
        async release() {
          if (released) return;
          released = true;
          locks.delete(path);
        },
      };
    },
    async bootIdentity() {
      return options.bootIdentity ?? 'memory-boot';
    },
  };
}
