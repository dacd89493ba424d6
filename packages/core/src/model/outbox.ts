import type { DataResponse } from './task-types.js';
import type { PersistedError } from './persisted-error.js';

/** The durable events (semantics section 3): each enters the outbox in the commit that causes it. */
export type DurableEventPayload =
  | {
      readonly type: 'downloadDidFinish';
      readonly taskIdentifier: number;
      /** Where the file is: the app's destination, or a location inside the store to move it from. */
      readonly location: string;
      /** Whether the location is inside the store (the handler must move the file). */
      readonly inStore: boolean;
    }
  | {
      readonly type: 'taskDidComplete';
      readonly taskIdentifier: number;
      /** Null on success. */
      readonly error: PersistedError | null;
      /** Data tasks: the response; its body is loaded when delivered. */
      readonly response: DataResponse | null;
    }
  | {
      readonly type: 'sessionDidBecomeInvalid';
      readonly error: PersistedError | null;
    };

/** An outbox entry as the store keeps it. */
export interface OutboxEntry {
  /** 128 random bits as 32 lower-case hex digits, unique forever. */
  readonly eventId: string;
  /** Commit order; delivery follows it. */
  readonly sequence: number;
  /** Wall-clock instant of the commit, ms. */
  readonly committedAt: number;
  readonly payload: DurableEventPayload;
}
