import type { BgSessionError } from '../errors/bg-session-error.js';
import type { ByteStore } from '../ports/byte-store.js';
import type { Clock } from '../ports/clock.js';
import { WriteBehind } from './write-behind.js';

const MiB = 1024 * 1024;
/**
 * Received bytes that may wait for the disk: enough to keep reading through an append (a
 * checkpoint's sync no longer stops the appends), small enough that memory stays flat whatever
 * the file's size (B2: 1 MiB here put the peak at the 64 MiB limit).
 */
const maxBuffered = MiB / 2;
/** Chunks arrive at about 64 KiB; those that pile up behind a slow append are copied together into appends of up to this. */
const maxWrite = MiB / 8;

/** How durable checkpoints are taken while a download's body is received. */
export interface CheckpointCadence {
  /** Bytes between two checkpoints. */
  readonly bytes: number;
  /** Milliseconds (monotonic) between two checkpoints. */
  readonly interval: number;
  /** Records a checkpoint at `offset`, every byte before it synced; rejects when the attempt must stop. */
  commit(offset: number): Promise<void>;
}

/** What {@link receiveBody} reads, where it writes, and whom it tells. */
export interface BodyReception {
  readonly body: AsyncIterable<Uint8Array>;
  readonly byteStore: ByteStore;
  readonly key: string;
  /** The bytes already under the key. */
  readonly offset: number;
  readonly signal: AbortSignal;
  readonly clock: Pick<Clock, 'monotonic'>;
  /** A download's checkpoints, or null (a data task's body is synced once, at its end). */
  readonly checkpoints: CheckpointCadence | null;
  /** The most bytes the key may hold, or null for no limit. */
  readonly maxBytes: number | null;
  /**
   * Where the content ends, or null when unknown: bytes of the body past it are dropped and the
   * body is read no further (as a transport cuts a body longer than its Content-Length).
   */
  readonly contentEnd?: number | null;
  /** The error an aborted attempt stops with. */
  aborted(): unknown;
  /** The error a body past `maxBytes` stops with. */
  tooLarge(): BgSessionError;
  /** Told each chunk as it arrives (the idle watchdog, the hash). */
  onChunk(chunk: Uint8Array): void;
  /** Told after each append, with the key's length and the bytes just written (progress). */
  onWritten(offset: number, bytes: number): void;
}

/**
 * Receives a response body into the byte store, reading the network while earlier chunks are
 * appended and synced (a bounded write-behind queue), and takes checkpoints on cadence without
 * stalling the reading. Resolves with the key's length once every byte is appended (not synced:
 * the caller syncs before the end). On a failure, bytes received before a connection failed are
 * still appended (a kill or the next attempt keeps them), an aborted attempt writes nothing more,
 * and nothing is written or committed once it rejects.
 *
 * @example
 * ```ts
 * const length = await receiveBody({ body: response.body, byteStore, key: 'part-1', offset: 0, signal, clock, checkpoints: null, maxBytes: null, ... });
 * await byteStore.sync('part-1');
 * ```
 */
export async function receiveBody(reception: BodyReception): Promise<number> {
  const { signal, clock, checkpoints } = reception;
  const writer = new WriteBehind({
    byteStore: reception.byteStore,
    key: reception.key,
    offset: reception.offset,
    signal,
    maxBuffered,
    maxWrite,
    onWritten: (offset, bytes) => reception.onWritten(offset, bytes),
  });
  let received = reception.offset;
  const end = reception.contentEnd ?? null;
  let checkpointedAt = clock.monotonic();
  let sinceCheckpoint = 0;
  let checkpointing: Promise<void> | null = null;
  let checkpointFailure: { readonly error: unknown } | null = null;
  /** Set once the body ended or failed: no checkpoint starts after it (the caller syncs, or stops). */
  let finished = false;
  // Read through calls: checkpoints change these between awaits, which narrowing does not see.
  const failedCheckpoint = (): { readonly error: unknown } | null => checkpointFailure;
  const checkpointsSettled = async (): Promise<void> => {
    finished = true;
    for (let running = checkpointing; running !== null; running = checkpointing) await running;
  };
  // One checkpoint at a time, each covering what its sync made durable, so they commit in order;
  // one due while another ran starts as that one ends (a stalled body still gets its checkpoint).
  const checkpointIfDue = (): void => {
    if (checkpoints === null || finished || checkpointing !== null || checkpointFailure !== null || signal.aborted) return;
    if (sinceCheckpoint < checkpoints.bytes && clock.monotonic() - checkpointedAt < checkpoints.interval) return;
    checkpointedAt = clock.monotonic();
    sinceCheckpoint = 0;
    checkpointing = writer
      .sync()
      .then((offset) => checkpoints.commit(offset))
      .catch((error: unknown) => {
        checkpointFailure ??= { error };
      })
      .finally(() => {
        checkpointing = null;
        if (sinceCheckpoint >= checkpoints.bytes) checkpointIfDue();
      });
  };
  try {
    for await (const chunk of reception.body) {
      if (signal.aborted) throw reception.aborted();
      const failed = failedCheckpoint();
      if (failed !== null) throw failed.error;
      if (reception.maxBytes !== null && received + chunk.byteLength > reception.maxBytes) throw reception.tooLarge();
      const content = end !== null && received + chunk.byteLength > end ? chunk.subarray(0, Math.max(0, end - received)) : chunk;
      reception.onChunk(content);
      received += content.byteLength;
      sinceCheckpoint += content.byteLength;
      await writer.push(content);
      checkpointIfDue();
      if (content !== chunk) break;
    }
    await writer.drain();
    await checkpointsSettled();
    const failed = failedCheckpoint();
    if (failed !== null) throw failed.error;
    return writer.offset;
  } catch (error) {
    // A data task's bytes cut short are deleted: only a download's are worth appending.
    finished = true;
    await writer.stop(checkpoints !== null && !signal.aborted && failedCheckpoint() === null);
    await checkpointsSettled();
    throw error;
  }
}
