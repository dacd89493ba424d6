import { BgSessionError } from '../errors/bg-session-error.js';
import type { ByteStore } from '../ports/byte-store.js';

/** What a {@link WriteBehind} writes to and how much it may hold. */
export interface WriteBehindOptions {
  readonly byteStore: ByteStore;
  readonly key: string;
  /** The bytes already under the key: offsets count from here. */
  readonly offset: number;
  /** Once aborted, nothing more is written: queued bytes are dropped. */
  readonly signal: AbortSignal;
  /** Bytes received but not yet written past which `push` waits (the reader's backpressure). */
  readonly maxBuffered: number;
  /** The largest append made of several chunks copied together. */
  readonly maxWrite: number;
  /** Told after every append, with the key's length and the bytes just written. */
  readonly onWritten: (offset: number, bytes: number) => void;
}

interface SyncMark {
  readonly resolve: (offset: number) => void;
  readonly reject: (error: unknown) => void;
}

type Item = Uint8Array | SyncMark;

/**
 * A bounded write-behind queue between the network and the byte store, so reading the next chunk,
 * appending the last ones and syncing overlap instead of taking turns (B1). Chunks are queued as
 * they are (the Transport port's chunks are read-only and never rewritten by their transport); a
 * chunk the store takes at once is appended by reference, and chunks that piled up while an append
 * ran are copied together into one append of up to `maxWrite` bytes (a few reused buffers), so a
 * slow disk sees few calls and a fast one (the simulator's) no copy. A sync is asked for once the
 * bytes before it are appended, and resolves with exactly that offset (#18); the appends after it
 * go on while it runs (the byte store's sync covers what was appended before it was called). At
 * most `maxBuffered` bytes (plus the chunk that crossed it) wait in memory: `push` makes the reader
 * wait beyond. A buffer is reused once its append resolved, as the byte stores allow (they copy or
 * write what they keep before resolving).
 *
 * The first failure (an append or a sync rejected) stops the queue and is rethrown by every later
 * `push`, `sync` and `drain`.
 *
 * @example
 * ```ts
 * const writer = new WriteBehind({ byteStore, key: 'part-1', offset: 0, signal, maxBuffered: 1 << 20, maxWrite: 256 << 10, onWritten: () => undefined });
 * for await (const chunk of body) await writer.push(chunk);
 * const durable = await writer.sync(); // every pushed byte, appended and synced
 * ```
 */
export class WriteBehind {
  private readonly items: Item[] = [];
  private readonly free: Uint8Array[] = [];
  /** Bytes pushed and not yet appended (queued or in the append in flight). */
  private buffered = 0;
  private written: number;
  private failure: { readonly error: unknown } | null = null;
  private running: Promise<void> | null = null;
  private room: (() => void) | null = null;

  constructor(private readonly options: WriteBehindOptions) {
    this.written = options.offset;
  }

  /** The key's length as far as this writer knows: every byte appended so far. */
  get offset(): number {
    return this.written;
  }

  /** Queues a chunk; resolves at once unless too much waits, then when there is room again. */
  async push(chunk: Uint8Array): Promise<void> {
    this.check();
    if (chunk.byteLength === 0) return;
    this.items.push(chunk);
    this.buffered += chunk.byteLength;
    this.start();
    if (this.buffered <= this.options.maxBuffered) return;
    await new Promise<void>((resolve) => {
      this.room = resolve;
    });
    this.check();
  }

  /** Syncs the key after every byte pushed so far is appended; resolves with the offset made durable. */
  async sync(): Promise<number> {
    this.check();
    const synced = new Promise<number>((resolve, reject) => this.items.push({ resolve, reject }));
    this.start();
    return await synced;
  }

  /** Resolves once every byte pushed is appended (rejects with the first failure). */
  async drain(): Promise<void> {
    this.check();
    while (this.running !== null) await this.running;
    this.check();
  }

  /**
   * Stops the queue and waits for the append in flight: the bytes not appended yet are appended
   * first when `keepQueued` (bytes received before a connection failed are still good) or dropped.
   * Never rejects; every later call rejects.
   */
  async stop(keepQueued: boolean): Promise<void> {
    if (!keepQueued) this.discard();
    while (this.running !== null) await this.running;
    this.failure ??= { error: stopped() };
    this.discard();
  }

  private check(): void {
    if (this.failure !== null) throw this.failure.error;
  }

  private start(): void {
    if (this.running !== null || this.failure !== null || this.items.length === 0) return;
    this.running = this.run().finally(() => {
      this.running = null;
      // Queued between the loop's last look at the queue and here.
      this.start();
    });
  }

  private async run(): Promise<void> {
    const { byteStore, key, signal } = this.options;
    for (let item = this.items[0]; item !== undefined; item = this.items[0]) {
      if (signal.aborted) {
        this.discard();
        return;
      }
      try {
        if (item instanceof Uint8Array) {
          const { bytes, pooled } = this.takeChunks();
          await byteStore.append(key, bytes);
          this.written += bytes.byteLength;
          this.buffered -= bytes.byteLength;
          if (pooled !== null) this.free.push(pooled);
          this.options.onWritten(this.written, bytes.byteLength);
          this.wakeReader();
        } else {
          // The sync covers the bytes appended so far; the next appends go on while it runs.
          this.items.shift();
          const offset = this.written;
          byteStore.sync(key).then(
            () => item.resolve(offset),
            (error: unknown) => {
              this.failure ??= { error };
              item.reject(error);
              this.discard();
            },
          );
        }
      } catch (error) {
        this.failure ??= { error };
        if (!(item instanceof Uint8Array)) item.reject(error);
        this.discard();
        return;
      }
    }
  }

  /**
   * Takes the chunks at the head of the queue for one append: the first one alone, by reference,
   * unless more wait behind it, then as many as fit in `maxWrite`, copied into a reused buffer.
   */
  private takeChunks(): { readonly bytes: Uint8Array; readonly pooled: Uint8Array | null } {
    const first = this.items.shift() as Uint8Array;
    const { maxWrite } = this.options;
    let total = first.byteLength;
    let count = 1;
    for (let next = this.items[count - 1]; next instanceof Uint8Array && total + next.byteLength <= maxWrite; next = this.items[count - 1]) {
      total += next.byteLength;
      count += 1;
    }
    if (count === 1) return { bytes: first, pooled: null };
    const pooled = this.free.pop() ?? new Uint8Array(maxWrite);
    pooled.set(first, 0);
    let at = first.byteLength;
    for (const chunk of this.items.splice(0, count - 1) as Uint8Array[]) {
      pooled.set(chunk, at);
      at += chunk.byteLength;
    }
    return { bytes: pooled.subarray(0, total), pooled };
  }

  /** Drops every byte not appended yet: waiting syncs reject, a waiting reader wakes. */
  private discard(): void {
    const error = this.failure?.error ?? stopped();
    for (const item of this.items.splice(0)) {
      if (item instanceof Uint8Array) this.buffered -= item.byteLength;
      else item.reject(error);
    }
    this.wakeReader();
  }

  private wakeReader(): void {
    if (this.room === null || (this.buffered > this.options.maxBuffered && this.failure === null)) return;
    const room = this.room;
    this.room = null;
    room();
  }
}

function stopped(): BgSessionError {
  return new BgSessionError('ConnectionFailed', 'The attempt was aborted.');
}
