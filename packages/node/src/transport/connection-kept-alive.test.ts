import { describe, expect, it } from 'vitest';
import { connectionKeptAlive } from './connection-kept-alive.js';

// What decides whether a body may be paused (ADR 11). The parser's own decision is exercised
// through real sockets in undici-transport.framing.test.ts; here, the headers alone, as when the
// parser cannot be read.
describe('connectionKeptAlive from the headers alone', () => {
  it('a chunked body or a Content-Length body keeps the connection', () => {
    expect(connectionKeptAlive(null, 200, { 'transfer-encoding': 'chunked' })).toBe(true);
    expect(connectionKeptAlive(null, 200, { 'transfer-encoding': 'gzip, Chunked' })).toBe(true);
    expect(connectionKeptAlive(null, 200, { 'content-length': '10' })).toBe(true);
  });

  it.each(['chunked, gzip', 'xchunked', 'chunked;q=1, identity', 'gzip', 'chunked;ext=1'])(
    'a Transfer-Encoding whose last coding is not exactly chunked (%s) is delimited by the close, whatever Content-Length says',
    (codings) => {
      expect(connectionKeptAlive(null, 200, { 'transfer-encoding': codings, 'content-length': '10' })).toBe(false);
    },
  );

  it('a close token in Connection, or a body with neither length nor chunked coding, does not keep it', () => {
    expect(connectionKeptAlive(null, 200, { connection: 'keep-alive, Close', 'content-length': '10' })).toBe(false);
    expect(connectionKeptAlive(null, 200, { 'transfer-encoding': 'chunked', connection: 'upgrade,close' })).toBe(false);
    expect(connectionKeptAlive(null, 200, {})).toBe(false);
  });

  it("a socket whose parser is not undici's falls back to the headers", () => {
    expect(connectionKeptAlive({}, 200, {})).toBe(false);
    expect(connectionKeptAlive({ [Symbol('parser')]: { shouldKeepAlive: true, statusCode: 404 } }, 200, {})).toBe(false);
    expect(connectionKeptAlive({ [Symbol('parser')]: { shouldKeepAlive: false, statusCode: 200 } }, 200, { 'content-length': '10' })).toBe(false);
  });
});
