/** The collections a store keeps besides its header. */
export type StoreCollection = 'tasks' | 'outbox' | 'resumeData';

/** One change of a commit. Values are JSON-compatible; the core encodes and decodes them. */
export type StoreOperation =
  | { readonly type: 'put'; readonly collection: StoreCollection; readonly key: string; readonly value: unknown }
  | { readonly type: 'delete'; readonly collection: StoreCollection; readonly key: string };

/** An atomic batch: all of it is applied, or none. */
export interface StoreBatch {
  /** A new header, or undefined to keep the current one. */
  readonly header?: unknown;
  readonly operations: readonly StoreOperation[];
  /**
   * `strict`: resolve only when durable. `relaxed`: may resolve before the sync, which must follow
   * within 100 ms (safe against a process kill, not a power loss).
   */
  readonly durability: 'strict' | 'relaxed';
}

/** A problem met while loading, reported instead of thrown. */
export interface StoreProblem {
  readonly code: 'CorruptRecord' | 'UnsupportedStoreVersion';
  /** Where: a collection and key, or a byte offset in a journal. */
  readonly path: string;
  readonly message: string;
  /** The collection and key whose record is lost, when known (the task is quarantined). */
  readonly collection?: StoreCollection;
  readonly key?: string;
}

/** Everything a store holds, undecoded. */
export interface StoreContents {
  /** Null for a new, empty store. */
  readonly header: unknown;
  readonly records: ReadonlyMap<StoreCollection, ReadonlyMap<string, unknown>>;
  readonly problems: readonly StoreProblem[];
}

/** What a store can do. */
export interface StoreCapabilities {
  /** Whether a `strict` commit survives a power loss (false for the memory store). */
  readonly survivesPowerLoss: boolean;
}

/**
 * Keeps everything that must outlive the host (semantics section 7).
 *
 * Guarantees:
 * - `open()` is exclusive: while another live owner holds the store it rejects with
 *   `SessionInUse`; an owner that died leaves no lock behind. It never throws on bad contents:
 *   what does not parse is left out and reported in `problems`.
 * - `commit(batch)` applies the batch atomically; with `strict` durability it resolves only when
 *   the batch is durable. Commits apply in the order they are called, and what survives a crash is
 *   a prefix of them: a durable commit makes every commit called before it durable (invariant #18;
 *   the header one commit carries counts the records of the next ones, ADR 28). A commit that fails rejects with `StoreFailed`, and every later call
 *   rejects with `StoreFailed` too (a failed sync is never retried).
 * - After `close()` (or after the owner was fenced) every call rejects with `StoreFailed`.
 */
export interface Store {
  readonly capabilities: StoreCapabilities;
  open(): Promise<StoreContents>;
  commit(batch: StoreBatch): Promise<void>;
  close(): Promise<void>;
}
