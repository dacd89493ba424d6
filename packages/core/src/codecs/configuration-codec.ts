import * as t from 'io-ts';
import type { RedirectPolicy, RetryPolicy, SessionConfiguration } from '../model/configuration.js';
import { exactType } from './exact-codec.js';
import { nullable } from './nullable-codec.js';
import {
  headerValue,
  lowerCaseHeaderName,
  nonEmptyString,
  nonNegativeDuration,
  nonNegativeSafeInteger,
  positiveDuration,
  positiveSafeInteger,
} from './primitives.js';
import { stringRecord } from './string-record-codec.js';
import type { Assert, Equals } from './type-equality.js';
import { checked } from './validated-codec.js';

/**
 * The rules of each configuration field, shared by the input codec (what the app passes) and the
 * persisted codec (the resolved configuration in the store header), so the two cannot disagree:
 * timeouts, intervals and lifetimes are positive finite durations, limits positive integers.
 */
export const configurationFieldRules = {
  timeoutForRequest: positiveDuration,
  timeoutForResource: positiveDuration,
  allowsExpensiveNetwork: t.boolean,
  allowsConstrainedNetwork: t.boolean,
  discretionary: t.boolean,
  maxConnectionsPerHost: positiveSafeInteger,
  maxConcurrentTasks: positiveSafeInteger,
  maxDataTaskBytes: positiveSafeInteger,
  // Zero asks for a progress event on every chunk; only a negative interval is meaningless.
  progressInterval: nonNegativeDuration,
  checkpointBytes: positiveSafeInteger,
  checkpointInterval: positiveDuration,
  resumeDataLifetime: positiveDuration,
  persistSensitiveHeaders: t.boolean,
  callbackTimeout: positiveDuration,
};

/** The rules of the redirect policy's fields. */
export const redirectPolicyRules = {
  // Zero hops is a valid policy: follow no redirect.
  maxHops: nonNegativeSafeInteger,
  allowCrossOrigin: t.boolean,
  allowHttpsToHttp: t.boolean,
};

/** The rules of the retry policy's fields. */
export const retryPolicyRules = {
  base: positiveDuration,
  cap: positiveDuration,
  maxAttempts: nullable(positiveSafeInteger),
};

/** A resolved redirect policy (`RedirectPolicy`). */
export const redirectPolicyCodec = exactType(redirectPolicyRules, 'a redirect policy');

/** A resolved retry policy (`RetryPolicy`); its cap is at least its base. */
export const retryPolicyCodec = checked(
  exactType(retryPolicyRules, 'a retry policy'),
  (retry) => retry.cap >= retry.base,
  ['cap'],
  'must be at least retry.base',
);

/**
 * The resolved configuration as persisted in the store header (`SessionConfiguration`): every
 * field present, header names lower-case.
 */
export const sessionConfigurationCodec = exactType(
  {
    identifier: nonEmptyString,
    ...configurationFieldRules,
    additionalHeaders: stringRecord(lowerCaseHeaderName, headerValue, 'a header map'),
    redirect: redirectPolicyCodec,
    retry: retryPolicyCodec,
    sensitiveHeaders: t.readonlyArray(lowerCaseHeaderName, 'a list of header names'),
  },
  'a session configuration',
);

type _RedirectMatches = Assert<Equals<t.TypeOf<typeof redirectPolicyCodec>, RedirectPolicy>>;
type _RetryMatches = Assert<Equals<t.TypeOf<typeof retryPolicyCodec>, RetryPolicy>>;
type _ConfigurationMatches = Assert<Equals<t.TypeOf<typeof sessionConfigurationCodec>, SessionConfiguration>>;
