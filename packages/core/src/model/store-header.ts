import type { SessionConfiguration } from './configuration.js';

/** The session lifecycle as persisted. */
export type SessionLifecycle = 'active' | 'finishing' | 'invalidated';

/** The store header (semantics section 7): carried through every compaction. */
export interface StoreHeader {
  readonly identifier: string;
  readonly configuration: SessionConfiguration;
  /** The highest task identifier ever issued; identifiers are never reused. */
  readonly highestTaskIdentifier: number;
  /** The highest outbox sequence ever issued. */
  readonly highestSequence: number;
  readonly lifecycle: SessionLifecycle;
}
