import type { HandOverResult } from '../ports/byte-store.js';
import type { ErrorCode } from '../errors/error-codes.js';

/** The bytes under one key of a memory byte store. */
export interface MemoryByteEntry {
  /** Backing buffer; only `[0, length)` is content. Grows by doubling so appends stay linear. */
  buffer: Uint8Array;
  /** Bytes present now, synced or not. */
  length: number;
  /** Bytes made durable by `sync`: a power loss cuts the entry back to this. */
  synced: number;
  /** Whether the key itself was ever synced: a power loss forgets a key that never was. */
  durable: boolean;
}

/**
 * What a memory byte store keeps: the part that outlives a store instance (a "process"), like the
 * disk and the OS cache outlive the process that wrote to them. A power loss (`powerLoss()`) is what
 * drops unsynced bytes.
 */
export interface MemoryByteStoreData {
  /** Partial bytes per key. */
  readonly entries: Map<string, MemoryByteEntry>;
  /**
   * The "file system" of hand-over locations: app paths and in-store `store:finished/<key>`
   * locations, with their bytes. Tests read it, and write to it to put a file in the way.
   */
  readonly files: Map<string, Uint8Array>;
  /** Where each handed-over key went, kept with the move, so a repeated hand-over answers the same. */
  readonly handedOver: Map<string, HandOverResult>;
  /** The current boot identity; `powerLoss()` changes it. */
  bootIdentity: string;
  /** The code every append rejects with while set (a full or read-only disk), or null. */
  appendFailure: ErrorCode | null;
  /**
   * Simulates a power loss: unsynced bytes are gone, keys never synced are gone, and the boot
   * identity changes. Handed-over files were synced by their hand-over and stay.
   */
  powerLoss(): void;
  /** The bytes at a hand-over location (a copy), or null when nothing is there. */
  readFile(location: string): Uint8Array | null;
}

/**
 * Creates empty backing data for {@link createMemoryByteStore}.
 *
 * @example
 * ```ts
 * const data = createMemoryByteStoreData();
 * const bytes = createMemoryByteStore({ data });
 * await bytes.append('part-1', new Uint8Array([1, 2, 3]));
 * data.powerLoss();
 * await bytes.length('part-1'); // null: never synced
 * ```
 */
export function createMemoryByteStoreData(options: { readonly bootIdentity?: string } = {}): MemoryByteStoreData {
  let boots = 0;
  const base = options.bootIdentity ?? 'memory-boot';
  const data: MemoryByteStoreData = {
    entries: new Map(),
    files: new Map(),
    handedOver: new Map(),
    bootIdentity: base,
    appendFailure: null,
    powerLoss() {
      for (const [key, entry] of data.entries) {
        if (!entry.durable) {
          data.entries.delete(key);
          continue;
        }
        entry.length = entry.synced;
        // Clear what was lost, so a read past `length` by mistake cannot find the old bytes.
        entry.buffer.fill(0, entry.synced);
      }
      boots += 1;
      data.bootIdentity = `${base}-${boots}`;
    },
    readFile(location) {
      const bytes = data.files.get(location);
      return bytes === undefined ? null : bytes.slice();
    },
  };
  return data;
}
