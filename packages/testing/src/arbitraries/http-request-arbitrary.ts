import fc from 'fast-check';
import { plainRecord } from './plain-record.js';
import type { HeaderMap, HttpRequest } from '@bgsession/core';

/**
 * Lower-case HTTP header names (RFC 9110 tokens), short enough to read in a shrunk counterexample.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(headerNameArbitrary(), (name) => name === name.toLowerCase()));
 * ```
 */
export function headerNameArbitrary(): fc.Arbitrary<string> {
  return fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);
}

/**
 * Header maps as the core keeps them: lower-case names, printable values (no CR, LF or NUL).
 *
 * @example
 * ```ts
 * const headers = fc.sample(headerMapArbitrary(), 1)[0];
 * ```
 */
export function headerMapArbitrary(): fc.Arbitrary<HeaderMap> {
  return fc.dictionary(headerNameArbitrary(), fc.string({ maxLength: 30 }), { maxKeys: 4, noNullPrototype: true });
}

/**
 * Requests as the core keeps them (`HttpRequest`): absolute http(s) URLs, upper-case methods.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(httpRequestArbitrary(), (request) => new URL(request.url).protocol.startsWith('http')));
 * ```
 */
export function httpRequestArbitrary(): fc.Arbitrary<HttpRequest> {
  return plainRecord({
    url: fc.webUrl({ withQueryParameters: true }),
    method: fc.constantFrom('GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'POST', 'PATCH'),
    headers: headerMapArbitrary(),
  });
}
