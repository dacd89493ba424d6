import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { BgSessionError } from '../errors/bg-session-error.js';
import { defaultConfiguration, type SessionConfiguration } from '../model/configuration.js';
import { sessionConfigurationCodec } from './configuration-codec.js';
import { decodeConfiguration } from './decode-configuration.js';

function resolved(input: unknown): SessionConfiguration {
  const result = decodeConfiguration(input);
  if (E.isLeft(result)) throw result.left;
  return result.right;
}

function rejection(input: unknown): BgSessionError {
  const result = decodeConfiguration(input);
  if (E.isRight(result)) throw new Error(`expected InvalidConfiguration, got ${JSON.stringify(result.right)}`);
  expect(result.left).toBeInstanceOf(BgSessionError);
  expect(result.left.code).toBe('InvalidConfiguration');
  return result.left;
}

describe('decodeConfiguration', () => {
  it('applies every default to an identifier alone', () => {
    expect(resolved({ identifier: 'uploads' })).toEqual({ identifier: 'uploads', ...defaultConfiguration });
  });

  it('keeps what the app gave and fills nested policies from the defaults', () => {
    const configuration = resolved({
      identifier: 'uploads',
      timeoutForRequest: 5_000,
      maxConcurrentTasks: 2,
      redirect: { maxHops: 3 },
      retry: { maxAttempts: 5 },
    });
    expect(configuration.timeoutForRequest).toBe(5_000);
    expect(configuration.maxConcurrentTasks).toBe(2);
    expect(configuration.redirect).toEqual({ ...defaultConfiguration.redirect, maxHops: 3 });
    expect(configuration.retry).toEqual({ ...defaultConfiguration.retry, maxAttempts: 5 });
    expect(configuration.timeoutForResource).toBe(defaultConfiguration.timeoutForResource);
  });

  it('treats an undefined value as not given', () => {
    expect(resolved({ identifier: 'a', timeoutForRequest: undefined }).timeoutForRequest).toBe(defaultConfiguration.timeoutForRequest);
  });

  it('lower-cases header names in additionalHeaders and sensitiveHeaders', () => {
    const configuration = resolved({
      identifier: 'a',
      additionalHeaders: { 'X-Client': 'demo', Accept: 'application/json' },
      sensitiveHeaders: ['Authorization', 'X-Api-Key', 'authorization'],
    });
    expect(configuration.additionalHeaders).toEqual({ 'x-client': 'demo', accept: 'application/json' });
    // The app's names add to the three always-sensitive ones.
    expect(configuration.sensitiveHeaders).toEqual(['authorization', 'cookie', 'proxy-authorization', 'x-api-key']);
  });

  it('gives back a resolved configuration unchanged, and the persisted codec accepts it', () => {
    const configuration = resolved({ identifier: 'a', additionalHeaders: { 'X-A': '1' } });
    expect(resolved(configuration)).toEqual(configuration);
    expect(E.isRight(sessionConfigurationCodec.decode(configuration))).toBe(true);
  });

  it.each([
    ['an unknown key', { identifier: 'a', timeoutForRequests: 5 }, 'timeoutForRequests'],
    ['an unknown key in redirect', { identifier: 'a', redirect: { maxHop: 3 } }, 'redirect.maxHop'],
    ['an unknown key in retry', { identifier: 'a', retry: { attempts: 3 } }, 'retry.attempts'],
    ['a host option given as configuration', { identifier: 'a', directory: '/tmp/x' }, 'directory'],
    ['a negative timeout', { identifier: 'a', timeoutForRequest: -1 }, 'timeoutForRequest'],
    ['a zero timeout', { identifier: 'a', timeoutForResource: 0 }, 'timeoutForResource'],
    ['an infinite timeout', { identifier: 'a', timeoutForRequest: Infinity }, 'timeoutForRequest'],
    ['a NaN interval', { identifier: 'a', checkpointInterval: NaN }, 'checkpointInterval'],
    ['a negative progress interval', { identifier: 'a', progressInterval: -5 }, 'progressInterval'],
    ['zero maxConcurrentTasks', { identifier: 'a', maxConcurrentTasks: 0 }, 'maxConcurrentTasks'],
    ['a fractional limit', { identifier: 'a', maxConnectionsPerHost: 1.5 }, 'maxConnectionsPerHost'],
    ['zero maxAttempts', { identifier: 'a', retry: { maxAttempts: 0 } }, 'retry.maxAttempts'],
    ['a negative maxHops', { identifier: 'a', redirect: { maxHops: -1 } }, 'redirect.maxHops'],
    ['a string for a number', { identifier: 'a', checkpointBytes: '4096' }, 'checkpointBytes'],
    ['a number for a boolean', { identifier: 'a', discretionary: 1 }, 'discretionary'],
    ['an empty identifier', { identifier: '' }, 'identifier'],
    ['a missing identifier', { timeoutForRequest: 5 }, 'identifier'],
    ['a header name that is not a token', { identifier: 'a', additionalHeaders: { 'x y': '1' } }, 'additionalHeaders."x y"'],
    ['a header value with a line break', { identifier: 'a', additionalHeaders: { 'x-a': '1\r\nx-b: 2' } }, 'additionalHeaders.x-a'],
    ['the same header in two cases', { identifier: 'a', additionalHeaders: { Accept: '1', accept: '2' } }, 'additionalHeaders.accept'],
    ['a sensitive header that is not a string', { identifier: 'a', sensitiveHeaders: ['cookie', 7] }, 'sensitiveHeaders[1]'],
    ['a retry cap below its base', { identifier: 'a', retry: { base: 5_000, cap: 1_000 } }, 'retry.cap'],
    ['a retry base above the default cap', { identifier: 'a', retry: { base: 3_600_000 } }, 'retry.base'],
    ['redirect given as a boolean', { identifier: 'a', redirect: true }, 'redirect'],
  ])('rejects %s as InvalidConfiguration naming the field', (_name, input, field) => {
    const error = rejection(input);
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
  });

  it('rejects a __proto__ key instead of letting it change the prototype', () => {
    const error = rejection(JSON.parse('{"identifier":"a","__proto__":{"timeoutForRequest":1}}'));
    expect(error.field).toBe('__proto__');
  });

  it.each([null, undefined, 'uploads', 42, [], new Map([['identifier', 'a']])])('rejects %s, which is not an object', (input) => {
    const error = rejection(input);
    expect(error.message).toContain('session configuration');
  });
});
