import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { BgSessionError } from '../errors/bg-session-error.js';
import { fromPersistedError, MAX_PERSISTED_BODY_BYTES, persistedErrorCodec, toPersistedError } from './persisted-error-codec.js';

describe('persisted errors', () => {
  it('keeps what an HttpStatus error carries through a store round trip', () => {
    const error = new BgSessionError('HttpStatus', 'Service Unavailable', {
      status: 503,
      headers: { 'retry-after': '5' },
      body: 'busy',
      taskIdentifier: 4,
    });
    const persisted = toPersistedError(error);
    expect(persistedErrorCodec.decode(JSON.parse(JSON.stringify(persisted)))).toEqual(E.right(persisted));
    const back = fromPersistedError(persisted, 4);
    expect(back).toBeInstanceOf(BgSessionError);
    expect(back).toMatchObject({
      code: 'HttpStatus',
      message: 'Service Unavailable',
      retryable: true,
      status: 503,
      headers: { 'retry-after': '5' },
      body: 'busy',
      taskIdentifier: 4,
    });
  });

  it('keeps resume data and bodyMayHaveBeenSent, and leaves absent fields absent', () => {
    const cancelled = fromPersistedError(toPersistedError(new BgSessionError('Cancelled', 'cancelled', { resumeData: 'abc' })));
    expect(cancelled.resumeData).toBe('abc');
    expect(cancelled.status).toBeUndefined();
    expect(cancelled.cause).toBeUndefined();
    const interrupted = fromPersistedError(
      toPersistedError(new BgSessionError('RequestInterrupted', 'cut', { bodyMayHaveBeenSent: true })),
    );
    expect(interrupted.bodyMayHaveBeenSent).toBe(true);
  });

  it('caps the body at 64 KiB of UTF-8 without splitting a character', () => {
    const body = `${'a'.repeat(MAX_PERSISTED_BODY_BYTES - 1)}😀tail`;
    const persisted = toPersistedError(new BgSessionError('HttpStatus', 'Not Found', { status: 404, body }));
    expect(persisted.body).toBe('a'.repeat(MAX_PERSISTED_BODY_BYTES - 1));
    const multiByte = 'é'.repeat(MAX_PERSISTED_BODY_BYTES);
    const capped = toPersistedError(new BgSessionError('HttpStatus', 'x', { status: 404, body: multiByte })).body ?? '';
    expect(new TextEncoder().encode(capped).length).toBe(MAX_PERSISTED_BODY_BYTES);
  });

  it('summarises the cause to one line with its system code', () => {
    const cause = Object.assign(new Error('socket hang up\n    at somewhere'), { code: 'ECONNRESET' });
    const persisted = toPersistedError(new BgSessionError('ConnectionFailed', 'reset', { cause }));
    expect(persisted.cause).toBe('Error: socket hang up at somewhere (ECONNRESET)');
    expect(fromPersistedError(persisted).cause).toBe('Error: socket hang up at somewhere (ECONNRESET)');
  });

  it('summarises causes that are not errors without throwing', () => {
    const hostile = Object.defineProperty({}, 'message', {
      get() {
        throw new Error('no');
      },
    });
    const summaries = [Object.create(null), hostile, 'plain text', 42, Symbol('s')].map(
      (cause) => toPersistedError(new BgSessionError('ConnectionFailed', 'x', { cause })).cause,
    );
    expect(summaries).toEqual(['an object', 'an unreadable cause', 'plain text', '42', 'symbol']);
  });

  it('keeps the path a DestinationExists or PermissionDenied names through a store round trip', () => {
    const persisted = toPersistedError(new BgSessionError('DestinationExists', 'A file is already at /downloads/a.bin.', { path: '/downloads/a.bin' }));
    expect(persisted.path).toBe('/downloads/a.bin');
    const decoded = persistedErrorCodec.decode(JSON.parse(JSON.stringify(persistedErrorCodec.encode(persisted))));
    expect(decoded).toEqual(E.right(persisted));
    expect(fromPersistedError(persisted).path).toBe('/downloads/a.bin');
    // A caller that knows the path from the record (an upload's file) still names it.
    expect(fromPersistedError(persisted, undefined, '/home/me/video.mp4').path).toBe('/home/me/video.mp4');
  });

  it('decodes an error stored before paths were kept, with no path, and refuses a path that is not a string', () => {
    const old = {
      code: 'PermissionDenied',
      message: 'The hand-over failed.',
      retryable: false,
      status: null,
      headers: null,
      body: null,
      cause: null,
      bodyMayHaveBeenSent: null,
      resumeData: null,
    };
    const decoded = persistedErrorCodec.decode(old);
    expect(decoded).toEqual(E.right(old));
    if (E.isRight(decoded)) {
      expect('path' in decoded.right).toBe(false);
      expect(fromPersistedError(decoded.right).path).toBeUndefined();
    }
    expect(E.isLeft(persistedErrorCodec.decode({ ...old, path: 42 }))).toBe(true);
  });

  it('refuses a stored error with a code outside the table', () => {
    const persisted = toPersistedError(new BgSessionError('DnsFailure', 'nope'));
    const result = persistedErrorCodec.decode({ ...persisted, code: 'toString' });
    expect(E.isLeft(result)).toBe(true);
  });
});
