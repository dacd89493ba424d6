import type { FileSystem } from '@bgsession/core';
import { createSimulatorRandom } from '../random/simulator-random.js';
import { createLossyDisk, type LossyDisk, type LossyDiskOptions } from './lossy-disk.js';

export const text = (value: string): Uint8Array => new TextEncoder().encode(value);
export const decoded = (bytes: Uint8Array | null): string | null => (bytes === null ? null : new TextDecoder().decode(bytes));

/** A lossy disk with a durable, empty `/data`. */
export async function diskWithData(options: Partial<LossyDiskOptions> = {}): Promise<LossyDisk> {
  const disk = createLossyDisk({ random: createSimulatorRandom(11), ...options });
  await disk.fs.mkdir('/data');
  await disk.fs.fsyncDir('/');
  return disk;
}

/** Writes a new file's bytes and, as asked, syncs them and its name. */
export async function put(fs: FileSystem, path: string, value: string, sync: { data: boolean; entry: boolean }): Promise<void> {
  const handle = await fs.open(path, { mode: 'rw', create: true });
  await handle.write(text(value), 0);
  if (sync.data) await handle.datasync();
  await handle.close();
  if (sync.entry) await fs.fsyncDir(path.slice(0, path.lastIndexOf('/')) || '/');
}

export const synced = { data: true, entry: true };
