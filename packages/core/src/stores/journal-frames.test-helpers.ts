import type { StoreBatch, StoreContents } from '../ports/store.js';
import { createJournalTestDisk, type JournalTestDisk } from './journal-disk.test-helpers.js';
import { frameHeaderLength, frameLength, readFrameHeader } from './journal-frame.js';
import { createJournalStore } from './journal-store.js';

/** The session directory the journal tests use, and its journal. */
export const testDirectory = '/sessions/photos';
export const testJournal = `${testDirectory}/journal`;

/** Where one frame of a journal lies. */
export interface Frame {
  readonly start: number;
  readonly end: number;
  readonly manifestStart: number;
  readonly valuesStart: number;
}

/** A strict commit of one task record. */
export function put(key: string, value: unknown): StoreBatch {
  return { operations: [{ type: 'put', collection: 'tasks', key, value }], durability: 'strict' };
}

/** The frames of a journal whose every header is intact. */
export function framesOf(bytes: Uint8Array): Frame[] {
  const frames: Frame[] = [];
  for (let p = 0; p < bytes.length; ) {
    const header = readFrameHeader(bytes, p);
    if (header === null) throw new Error(`no frame at ${p}`);
    frames.push({ start: p, end: p + frameLength(header), manifestStart: p + frameHeaderLength, valuesStart: p + frameHeaderLength + header.manifestLength });
    p += frameLength(header);
  }
  return frames;
}

/**
 * Writes `batches` as separate strict commits, then closes the store (which marks the journal
 * clean) or lets it die; returns the disk, the journal's bytes and its frames.
 */
export async function journalOf(batches: readonly StoreBatch[], ending: 'close' | 'crash' = 'close'): Promise<{ disk: JournalTestDisk; bytes: Uint8Array; frames: Frame[] }> {
  const disk = createJournalTestDisk();
  await disk.fs.mkdir('/sessions');
  const store = createJournalStore({ fs: disk.fs, directory: testDirectory });
  await store.open();
  for (const batch of batches) await store.commit(batch);
  if (ending === 'close') await store.close();
  else await store.fence();
  const bytes = await disk.readFile(testJournal);
  return { disk, bytes, frames: framesOf(bytes) };
}

/** Puts `bytes` in place as the journal, opens it and closes it again; returns what the open read. */
export async function openWith(disk: JournalTestDisk, bytes: Uint8Array): Promise<StoreContents> {
  await disk.writeFile(testJournal, bytes);
  const store = createJournalStore({ fs: disk.fs, directory: testDirectory });
  const contents = await store.open();
  await store.close();
  return contents;
}

/** The task records the store handed out, as a plain object. */
export function tasksOf(contents: StoreContents): Record<string, unknown> {
  return Object.fromEntries(contents.records.get('tasks') ?? []);
}

/** A copy of `bytes` with bits of the byte at `at` flipped (0x10 unless told). */
export function flipped(bytes: Uint8Array, at: number, mask = 0x10): Uint8Array {
  const copy = bytes.slice();
  copy[at] = (copy[at] as number) ^ mask;
  return copy;
}
