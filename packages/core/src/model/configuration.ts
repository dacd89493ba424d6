/** Redirect policy (semantics section 1): declarative, only http(s) targets. */
export interface RedirectPolicy {
  readonly maxHops: number;
  readonly allowCrossOrigin: boolean;
  readonly allowHttpsToHttp: boolean;
}

/** Retry policy (semantics section 4). */
export interface RetryPolicy {
  /** Base delay of the exponential backoff, ms. */
  readonly base: number;
  /** Cap of one delay and of Retry-After, ms. */
  readonly cap: number;
  /** Attempts that may be spent, or null for no limit (the resource timeout is the limit). */
  readonly maxAttempts: number | null;
}

/**
 * The persisted session configuration, fully resolved (every field present). Given at each open;
 * the latest replaces the stored one and governs scheduling from then on.
 */
export interface SessionConfiguration {
  readonly identifier: string;
  readonly timeoutForRequest: number;
  readonly timeoutForResource: number;
  readonly allowsExpensiveNetwork: boolean;
  readonly allowsConstrainedNetwork: boolean;
  readonly discretionary: boolean;
  readonly maxConnectionsPerHost: number;
  readonly maxConcurrentTasks: number;
  readonly additionalHeaders: Readonly<Record<string, string>>;
  readonly redirect: RedirectPolicy;
  readonly retry: RetryPolicy;
  readonly maxDataTaskBytes: number;
  readonly progressInterval: number;
  readonly checkpointBytes: number;
  readonly checkpointInterval: number;
  readonly resumeDataLifetime: number;
  /** Lower-case header names never persisted unless `persistSensitiveHeaders`. */
  readonly sensitiveHeaders: readonly string[];
  readonly persistSensitiveHeaders: boolean;
  /** How long `taskWillBeginDelayedRequest` / `taskWillPerformRedirection` wait for an answer, ms. */
  readonly callbackTimeout: number;
}

/** What the app passes: `identifier` and any subset of the rest (nested objects too). */
export type SessionConfigurationInput = { readonly identifier: string } & {
  readonly [K in Exclude<keyof SessionConfiguration, 'identifier' | 'redirect' | 'retry'>]?: SessionConfiguration[K];
} & {
  readonly redirect?: Partial<RedirectPolicy>;
  readonly retry?: Partial<RetryPolicy>;
};

const SECOND = 1000;
const DAY = 24 * 60 * 60 * SECOND;
const MiB = 1024 * 1024;

/**
 * The defaults of semantics section 1, 2, 4 and 5.
 *
 * @example
 * ```ts
 * defaultConfiguration.timeoutForRequest; // 60_000
 * ```
 */
export const defaultConfiguration: Omit<SessionConfiguration, 'identifier'> = {
  timeoutForRequest: 60 * SECOND,
  timeoutForResource: 7 * DAY,
  allowsExpensiveNetwork: true,
  allowsConstrainedNetwork: true,
  discretionary: false,
  maxConnectionsPerHost: 6,
  maxConcurrentTasks: 16,
  additionalHeaders: {},
  redirect: { maxHops: 20, allowCrossOrigin: true, allowHttpsToHttp: false },
  retry: { base: 1 * SECOND, cap: 10 * 60 * SECOND, maxAttempts: null },
  maxDataTaskBytes: 8 * MiB,
  progressInterval: 250,
  checkpointBytes: 4 * MiB,
  checkpointInterval: 2 * SECOND,
  resumeDataLifetime: 7 * DAY,
  sensitiveHeaders: ['authorization', 'cookie', 'proxy-authorization'],
  persistSensitiveHeaders: false,
  callbackTimeout: 10 * SECOND,
};
