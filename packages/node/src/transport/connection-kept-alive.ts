import type { IncomingHttpHeaders } from 'node:http';

/**
 * Whether undici keeps the connection after the response whose head it just handed over, which
 * decides whether its body may be paused for backpressure. Undici 7 (the line for Node 20) asserts
 * when a connection it will not keep alive ends while paused (nodejs/undici#5360, fixed in undici 8,
 * which needs Node 22): an uncatchable crash from a socket event. Its check is its parser's
 * `shouldKeepAlive`, llhttp's own decision (the HTTP version, `Connection`, the framing), so that is
 * read first, from the socket undici wrote the request on (undici keeps its parser there under a
 * private symbol described `parser`, and sets `statusCode` before it calls the handler).
 *
 * When the parser cannot be read (no socket seen, a future undici 7 that keeps it elsewhere), the
 * headers decide: not kept alive with a `close` token in `Connection`, or when the body is framed
 * by the close (a `Transfer-Encoding` whose last coding is not exactly `chunked`, RFC 9112 6.1 and
 * 6.3; neither that nor `Content-Length`). An HTTP/1.0 response without `Connection` cannot be told
 * from the headers: only that case is left to the parser.
 *
 * @example
 * ```ts
 * connectionKeptAlive(null, 200, { 'transfer-encoding': 'chunked, gzip' }); // false: read to the close
 * connectionKeptAlive(null, 200, { 'content-length': '10' }); // true
 * ```
 */
export function connectionKeptAlive(socket: object | null, status: number, headers: IncomingHttpHeaders): boolean {
  return (socket === null ? null : parserKeepsAlive(socket, status)) ?? headersKeepAlive(headers);
}

function parserKeepsAlive(socket: object, status: number): boolean | null {
  for (const symbol of Object.getOwnPropertySymbols(socket)) {
    if (symbol.description !== 'parser') continue;
    const parser: unknown = (socket as Record<symbol, unknown>)[symbol];
    if (typeof parser !== 'object' || parser === null) continue;
    const { shouldKeepAlive, statusCode } = parser as { shouldKeepAlive?: unknown; statusCode?: unknown };
    // The status tells the parser is on this response, not a stale or foreign one.
    if (typeof shouldKeepAlive === 'boolean' && statusCode === status) return shouldKeepAlive;
  }
  return null;
}

function headersKeepAlive(headers: IncomingHttpHeaders): boolean {
  if (tokens(headers['connection']).includes('close')) return false;
  const codings = tokens(headers['transfer-encoding']);
  if (codings.length > 0) return codings[codings.length - 1] === 'chunked';
  return headers['content-length'] !== undefined;
}

/** The comma-separated elements of a header, lower-cased, repeated fields included. */
function tokens(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const text = typeof value === 'string' ? value : value.join(',');
  return text
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((token) => token !== '');
}
