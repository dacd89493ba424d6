import type { RetryPolicy } from '../model/configuration.js';

/**
 * What the task machine reads from the session besides the task's own record: the retry policy of
 * the current configuration (it governs scheduling from the latest open on).
 */
export interface TaskEnvironment {
  readonly retry: RetryPolicy;
}
