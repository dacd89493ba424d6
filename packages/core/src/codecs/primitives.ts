import * as t from 'io-ts';
import { validated } from './validated-codec.js';
import { hasLineBreak, isToken } from '../policy/header-field.js';

// Validated, not branded: the model types use plain `number` and `string`, and each codec's
// decoded type must equal its model type (see type-equality.ts). The checks still run on every
// decode, which is where they matter (store contents, resume data, configuration).

/** A finite number (`t.number` lets NaN and Infinity through, which JSON cannot carry). */
export const finiteNumber = validated(t.number, Number.isFinite, 'a finite number');

/** Offsets, lengths, counts, sequence numbers. */
export const nonNegativeSafeInteger = validated(
  t.number,
  (n) => Number.isSafeInteger(n) && n >= 0,
  'a non-negative safe integer',
);

/** Limits that must allow at least one (connections, tasks, attempts, bytes). */
export const positiveSafeInteger = validated(t.number, (n) => Number.isSafeInteger(n) && n >= 1, 'a positive safe integer');

/** A task identifier: session-unique, never reused, from 1. */
export const taskIdentifier = validated(
  t.number,
  (n) => Number.isSafeInteger(n) && n >= 1,
  'a task identifier (a positive safe integer)',
);

/** Progress counters: a count, or -1 while unknown (NSURLSessionTransferSizeUnknown). */
export const progressCount = validated(t.number, (n) => Number.isSafeInteger(n) && n >= -1, 'a safe integer of at least -1');

/** A duration that must pass (timeouts, intervals, lifetimes), ms. */
export const positiveDuration = validated(
  t.number,
  (n) => Number.isFinite(n) && n > 0,
  'a positive finite duration in ms',
);

/** A duration that may be zero, ms. */
export const nonNegativeDuration = validated(
  t.number,
  (n) => Number.isFinite(n) && n >= 0,
  'a non-negative finite duration in ms',
);

/** A wall-clock instant, ms since the epoch (finite; the clock may jump, so any sign). */
export const instant = validated(t.number, Number.isFinite, 'a finite instant in ms');

/** A priority in [0, 1]. */
export const unitInterval = validated(t.number, (n) => n >= 0 && n <= 1, 'a number from 0 to 1');

/** An HTTP status as a transport reports it (0 for fetch's opaque responses, up to 999). */
export const httpStatus = validated(t.number, (n) => Number.isSafeInteger(n) && n >= 0 && n <= 999, 'an HTTP status');

/** A string with at least one character. */
export const nonEmptyString = validated(t.string, (s) => s.length > 0, 'a non-empty string');

/** 128 random bits as 32 lower-case hex digits (an outbox entry's `eventId`). */
export const eventId = validated(t.string, (s) => /^[0-9a-f]{32}$/.test(s), 'an event id (32 lower-case hex digits)');

/** A SHA-256 digest as Subresource Integrity writes it: `sha256-` and 44 base64 characters. */
export const integrity = validated(
  t.string,
  (s) => /^sha256-[A-Za-z0-9+/]{43}=$/.test(s),
  'a sha256-<base64> integrity string',
);

/** An absolute http(s) URL. */
export const httpUrl = validated(t.string, isHttpUrl, 'an absolute http(s) URL');

function isHttpUrl(value: string): boolean {
  try {
    const protocol = new URL(value).protocol;
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/** An HTTP method: a token of RFC 9110, upper case. */
export const httpMethod = validated(t.string, (s) => isToken(s) && s === s.toUpperCase(), 'an upper-case HTTP method');

/** An HTTP header name: a token of RFC 9110 (any case; configuration input lower-cases it). */
export const headerName = validated(t.string, (s) => isToken(s), 'an HTTP header name');

/** An HTTP header name in lower case, as every stored header map keeps it. */
export const lowerCaseHeaderName = validated(
  t.string,
  (s) => isToken(s) && s === s.toLowerCase(),
  'a lower-case HTTP header name',
);

/** An HTTP header value: no CR, LF or NUL, so no header can be smuggled through it. */
export const headerValue = validated(t.string, (s) => !hasLineBreak(s), 'an HTTP header value (no CR, LF or NUL)');
