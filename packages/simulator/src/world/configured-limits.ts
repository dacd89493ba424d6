import { defaultConfiguration, type SessionConfigurationInput } from '@bgsession/core';
import type { SessionLimits } from '../invariants/world-check-input.js';

/**
 * The limits the app configured for a session, defaults filled in: what the checkers hold the run
 * to, whatever a planted bug made the session run with.
 *
 * @example
 * ```ts
 * configuredLimits({ identifier: 'app', maxConnectionsPerHost: 2 }).maxConnectionsPerHost; // 2
 * ```
 */
export function configuredLimits(configuration: SessionConfigurationInput): SessionLimits {
  return {
    maxConnectionsPerHost: configuration.maxConnectionsPerHost ?? defaultConfiguration.maxConnectionsPerHost,
    maxConcurrentTasks: configuration.maxConcurrentTasks ?? defaultConfiguration.maxConcurrentTasks,
    timeoutForResource: configuration.timeoutForResource ?? defaultConfiguration.timeoutForResource,
    retryCap: configuration.retry?.cap ?? defaultConfiguration.retry.cap,
  };
}
