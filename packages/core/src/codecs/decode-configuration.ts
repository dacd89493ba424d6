import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { BgSessionError } from '../errors/bg-session-error.js';
import { defaultConfiguration, type SessionConfiguration } from '../model/configuration.js';
import { alwaysSensitiveHeaders } from '../policy/sensitive-headers.js';
import { configurationInputCodec } from './configuration-input-codec.js';
import { errorMessage, errorPath } from './decode-error.js';
import { describeKey } from './describe-value.js';

function invalid(field: string, message: string): BgSessionError {
  const where = field === '' ? '' : `${field}: `;
  const fields = field === '' ? {} : { field };
  return new BgSessionError('InvalidConfiguration', `Invalid session configuration: ${where}${message}`, fields);
}

function fromErrors(errors: t.Errors): BgSessionError {
  const first = errors[0];
  return first === undefined ? invalid('', 'it did not decode') : invalid(errorPath(first), errorMessage(first));
}

function lowerCaseHeaders(headers: Readonly<Record<string, string>>): E.Either<BgSessionError, Readonly<Record<string, string>>> {
  const entries: [string, string][] = [];
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (seen.has(lower)) {
      return E.left(invalid(`additionalHeaders.${describeKey(name)}`, 'repeats another header name (names are case-insensitive)'));
    }
    seen.add(lower);
    entries.push([lower, value]);
  }
  return E.right(Object.fromEntries(entries));
}

/**
 * Decodes the configuration the app passes at open (`SessionConfigurationInput`) and resolves it
 * against `defaultConfiguration`. An unknown key (at any level), a wrong type, a negative or
 * non-finite timeout, a non-positive limit, an empty identifier or a retry cap below its base is
 * `InvalidConfiguration` with `field` naming it (`redirect.maxHops`), never a silent default.
 * Header names in `additionalHeaders` and `sensitiveHeaders` are lower-cased; the latter are
 * added to Authorization, Cookie and Proxy-Authorization, which are always sensitive, and
 * de-duplicated. An `undefined` value counts as not given. Never throws.
 *
 * @example
 * ```ts
 * const result = decodeConfiguration({ identifier: 'uploads', retry: { maxAttempts: 5 } });
 * // Right: every other field from defaultConfiguration
 * decodeConfiguration({ identifier: 'uploads', timeoutForRequest: -1 });
 * // Left: BgSessionError InvalidConfiguration, field 'timeoutForRequest'
 * ```
 */
export function decodeConfiguration(input: unknown): E.Either<BgSessionError, SessionConfiguration> {
  const decoded = configurationInputCodec.decode(input);
  if (E.isLeft(decoded)) return E.left(fromErrors(decoded.left));
  const given = decoded.right;

  const additionalHeaders = lowerCaseHeaders(given.additionalHeaders ?? defaultConfiguration.additionalHeaders);
  if (E.isLeft(additionalHeaders)) return additionalHeaders;
  // The app's names add to the three that are always sensitive: naming `x-api-key` must not
  // make Authorization persistable (only `persistSensitiveHeaders` opts in to that).
  const sensitiveNames = [...alwaysSensitiveHeaders, ...(given.sensitiveHeaders ?? [])];
  const sensitiveHeaders = [...new Set(sensitiveNames.map((name) => name.toLowerCase()))];

  const retry = { ...defaultConfiguration.retry, ...given.retry };
  if (retry.cap < retry.base) {
    const field = given.retry?.cap !== undefined ? 'retry.cap' : 'retry.base';
    return E.left(invalid(field, `retry.cap (${retry.cap} ms) must be at least retry.base (${retry.base} ms)`));
  }

  return E.right({
    ...defaultConfiguration,
    ...given,
    additionalHeaders: additionalHeaders.right,
    sensitiveHeaders,
    redirect: { ...defaultConfiguration.redirect, ...given.redirect },
    retry,
  });
}
